"""The notification rules dataward ships (package data, read with importlib.resources)."""
