"""The shipped control catalog and framework titles (YAML package data)."""
