"""The sync screen (F10)."""
