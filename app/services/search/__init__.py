"""Search 查找.

* :mod:`.query` — what was typed, understood (names, pinyin, numbers, doors).
* :mod:`.people` — residents from the search-key index; :mod:`.lookup` doors,
  buildings, case and mediation numbers, and the entry point; :mod:`.hits` the results.
* :mod:`.opinions` — residents' opinions by words of their text or their number.
* :mod:`.index` — the station-local search-key table kept current; :mod:`.keys` pinyin.
"""
