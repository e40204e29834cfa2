"""Use cases, one module each. Services never import textual; screens call only these."""
