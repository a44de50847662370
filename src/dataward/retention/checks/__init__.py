"""The retention checks, one module per check."""
