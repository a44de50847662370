"""Clients (tenants), the tool's own users and roles, the audit trail, keys and crypto."""
