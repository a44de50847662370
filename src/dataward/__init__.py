"""dataward: a data-security baseline for BPO operations that serve many client accounts."""

__version__ = "0.1.0"
