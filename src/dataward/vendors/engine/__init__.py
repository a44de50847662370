"""Plain-Python vendor engine: tier rule, register reading, questionnaire, rules."""
