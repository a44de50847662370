"""Plain-Python engine of the reports package: assessment snapshots and their OSCAL form."""
