"""Structured-report content tree: model, parsing, encoding and rendering (PS3.3 C.17.3)."""
