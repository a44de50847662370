"""Plain Python for training: requirements, LMS exports, course status, phishing, joiners."""
