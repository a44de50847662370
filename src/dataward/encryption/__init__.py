"""Encryption in transit and at rest: TLS endpoints, transfer channels, at-rest registers."""
