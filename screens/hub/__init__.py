"""The street office's desk (issue 15): communities side by side and the street queue."""
