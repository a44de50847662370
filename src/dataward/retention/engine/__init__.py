"""Plain-Python engine of the retention package: policies, overdue data, safe disposal."""
