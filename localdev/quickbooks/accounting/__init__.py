"""QuickBooks Online's Accounting API v3 (`/v3/company/{realmId}/...`) for the emulator.

One module per job: `companies` (the realms and their books), `demo` (the seeded AU demo
company), `faults` (Intuit's error bodies), `query` (the query language), `cdc`, `batch`,
`limits`, `requestids`, one module per entity, and `routes` which wires them into Flask.
"""
