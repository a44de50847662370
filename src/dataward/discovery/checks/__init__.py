"""Checks that judge the data inventory; each module is one check, found by walking the folder."""
