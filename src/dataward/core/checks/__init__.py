"""Checks of the core package; every module here is registered by walking the folder."""
