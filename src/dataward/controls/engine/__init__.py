"""Plain-Python engine of the controls package: the checks registry and the runner."""
