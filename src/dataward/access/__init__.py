"""Restrict the access: identities, entitlements, role matrix per client, rules and reviews."""
