"""RPI query: request building, events and the C-FIND engine (PS3.4 Annex Q)."""
