"""Reduce unnecessary retention: policies, overdue data, legal holds, verified disposal."""
