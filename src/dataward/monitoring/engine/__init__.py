"""Plain-Python engine of the monitoring package: ingestion, Sigma evaluation, alerts."""
