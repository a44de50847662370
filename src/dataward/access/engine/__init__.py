"""The access engine: connectors, identity resolution, role matrix and rules, without Django."""
