"""Co-governance 共治: residents' opinions 居民意见 → the livelihood list 民生清单 → deliberation
meetings 议事会 → public notice 公示.

Modules: ``opinions`` (recording and listing opinions), ``grouping`` (similar opinions by
characters and pinyin), ``items`` (the list: computed rank, classes, statuses, notes),
``meetings`` (agenda, votes, decisions, conventions adopted), ``documents`` (minutes and
公示 as PDF / xlsx), ``importer`` (opinions typed in from paper), ``counts`` (the
dashboard's opinions → items → done per grid and building).
"""
