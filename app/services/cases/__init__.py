"""Cases 诉求 (四级三色).

* :mod:`.machine` — the lifecycle as a pure state machine folded from events.
* :mod:`.cache` — the cached columns on ``case`` (state, deadlines, ranks) kept equal to
  the fold; recomputed after actions, imports and deadline-rule changes.
* :mod:`.deadlines` — response and resolution limits on Chinese working days.
* :mod:`.lifecycle` — intake, actions, evaluation, subcategories; case numbers.
* :mod:`.views` — the paged lists and one case in full; :mod:`.metrics` the three rates
  and the monthly report; :mod:`.handover` the shift handover sheet.
"""
