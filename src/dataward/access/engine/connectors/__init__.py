"""Connectors: each reads one kind of export into plain records, or fails naming row and field."""
