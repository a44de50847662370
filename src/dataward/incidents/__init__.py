"""Incidents: intake, status workflow, notification clocks, playbooks and the register."""
