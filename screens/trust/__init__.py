"""Sign-in, lock and record history screens."""
