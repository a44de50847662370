"""Sign-in: passwords, TOTP second factor, one-time links and single sign-on."""
