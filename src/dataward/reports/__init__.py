"""Reports: assessment results and the control catalog exported for auditors (OSCAL)."""
