"""Logging and monitoring: log ingestion to ECS, Sigma rules, alerts and triage."""
