"""The risk register: risks raised from failing controls, treated, accepted and closed."""
