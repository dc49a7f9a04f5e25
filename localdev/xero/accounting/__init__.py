"""The Xero Accounting API (/api.xro/2.0) of the emulator.

Kept import-light on purpose: `localdev.xero.context` imports `limits` and
`idempotency` from here, and `routes` imports the context back.
"""
