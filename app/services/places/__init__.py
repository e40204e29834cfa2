"""Places and the building ledger 一楼栋一账本.

* :mod:`.address` — the one grammar of a typed door (楼栋-单元-室) and how a door is written.
* :mod:`.households` — a household by its address, and the head of a household (户主).
* :mod:`.residents` — residents: add, edit, move out, move within the community.
* :mod:`.visits` — visits 入户走访 (a follow-up becomes a case through the cases intake).
* :mod:`.care` — the key-care list 重点关怀, cadences and holiday visit rounds.
* :mod:`.ledger` — a building's opinions and livelihood list 民生清单.
* :mod:`.staffing` — who works a grid: its 网格长 and 网格员 (admin only).
* :mod:`.views` — the map, grids and buildings as the screens page them.
"""
