"""Vendor checks: reviews on time, agreements for personal data, due diligence."""
