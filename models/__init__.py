"""Storage layer: Peewee tables, database setup, migrations and pydantic schemas.

Nothing here imports ``app`` or ``textual``; services in ``app.services`` sit on top.
"""
