"""Find sensitive data in text, files and databases, without Django and without keeping values."""
