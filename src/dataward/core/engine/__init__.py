"""Plain-Python engine of the core package: workspace layout, keys, audit chain, permissions."""
