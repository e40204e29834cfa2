"""Places and the building ledger: grids, buildings, households, residents, visits, key care."""
