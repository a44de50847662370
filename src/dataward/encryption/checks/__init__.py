"""Encryption checks: TLS endpoints, transfer channels, data at rest, archives."""
