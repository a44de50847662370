"""The pure device engine: records, connectors, policy and rules (no Django)."""
