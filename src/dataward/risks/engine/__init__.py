"""Pure risk logic: scores, heat map, the plan that keeps the register in step with checks."""
