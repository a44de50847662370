"""The training checks, one module per check."""
