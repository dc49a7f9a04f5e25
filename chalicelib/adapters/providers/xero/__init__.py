"""Xero: OAuth 2.0 (identity) now; the Accounting API client joins it here."""
