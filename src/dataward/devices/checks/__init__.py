"""The device checks, one module per check."""
