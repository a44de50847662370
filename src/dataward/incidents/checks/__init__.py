"""Checks over the incident register: notification clocks met, incidents closed on time."""
