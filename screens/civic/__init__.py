"""Co-governance screens: the opinion form, the ranked 民生清单, an item, grouping, meetings."""
