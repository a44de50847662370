"""Plain Python rules for encryption: the TLS profile, sslyze results, channels, data at rest."""
