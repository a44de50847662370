"""The monitoring checks, one module per check."""
