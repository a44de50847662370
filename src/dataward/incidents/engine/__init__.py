"""Plain-Python incident logic: workflow, notification rules and clocks, playbooks, register."""
