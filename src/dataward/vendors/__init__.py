"""Vendors: third parties, their reach, risk tier, reviews, due diligence and duties."""
