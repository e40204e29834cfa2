"""Textual screens, one module per screen, and shared widgets. Screens call services only."""
