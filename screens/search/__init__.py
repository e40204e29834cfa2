"""The find box (Ctrl+F) and its results."""
