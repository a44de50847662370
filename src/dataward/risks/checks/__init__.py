"""Checks over the risk register: acceptances and treatment plans."""
