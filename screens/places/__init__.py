"""Screens of places: the grid map, the building ledger, key care, resident and visit forms."""
