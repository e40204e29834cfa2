"""Mulin 睦邻: the application core (config, clock, write path, services, CLI, TUI)."""

__version__ = "0.1.0"
