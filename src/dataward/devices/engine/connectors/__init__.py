"""Connectors: turn an MDM export, osquery results or collector output into Device records."""
