"""Training: courses, requirements, LMS completions, phishing simulations and their checks."""
