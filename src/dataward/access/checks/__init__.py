"""Access checks; each module is one check, found by walking the folder."""
