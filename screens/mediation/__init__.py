"""Screens of mediation: the records list, one record, its forms, the conventions."""
