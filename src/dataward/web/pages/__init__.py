"""Dashboard pages: each module adds its URLs and menu entry (found by walking the folder)."""
