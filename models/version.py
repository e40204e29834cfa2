"""The station schema's version, apart from the tables: what reads a station's file
before peewee is loaded (the desk's first frame, ``app/services/trust/roster.py``) needs
only this number. ``models/schema.py`` migrates files up to it."""

SCHEMA_VERSION = 2
