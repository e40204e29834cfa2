"""Mediation 调解: records, parties, sessions, agreements, conventions, the agreement document."""
