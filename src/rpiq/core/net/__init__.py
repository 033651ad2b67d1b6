"""Association set-up, verification and capability probe (SCU side)."""
