"""Trust: operators and roles, the audit trail, backups, encryption at rest, `mulin check`."""
