"""Checks registry and assessments; the control catalog and frameworks come later."""
