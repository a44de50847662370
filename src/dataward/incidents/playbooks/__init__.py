"""The incident playbooks dataward ships (package data, read with importlib.resources)."""
