"""Mediation forms: raw text from the TUI form (or a CLI) to drafts, checks as you type,
and saves; a refused save raises :class:`~app.services.mediation.drafts.MediationError`
and writes nothing.
"""

from __future__ import annotations

import re
from typing import Any, cast

from pydantic import BaseModel

from app.i18n import t
from app.services.mediation import records, rules
from app.services.mediation.drafts import (
    BasisDraft,
    FollowUpDraft,
    MediationDraft,
    MediatorDraft,
    OutcomeDraft,
    PartyDraft,
    SessionDraft,
    TermDraft,
    parse_date,
    parse_datetime,
    parse_money,
)

FormValues = dict[str, Any]


def _parsed(errors: dict[str, str], values: FormValues, name: str, parse: Any,
            key: str, required: bool = False) -> Any:
    text = str(values.get(name) or "")
    try:
        result = parse(text)
    except ValueError:
        errors[name] = t(key)
        return None
    if result is None and required:
        errors[name] = t("med.err.required")
    return result


def _lines(text: Any) -> list[str]:
    return [x.strip() for x in re.split(r"[\n；;]+", str(text or "")) if x.strip()]


def _draft(kind: str, values: FormValues) -> tuple[BaseModel | None, dict[str, str]]:
    """Parse one form's values into its draft (None with the parse errors)."""
    errors: dict[str, str] = {}
    v = {k: (x.strip() if isinstance(x, str) else x) for k, x in values.items()}
    draft: BaseModel | None = None
    if kind == "mediation":
        opened = _parsed(errors, v, "opened_on", parse_date, "med.err.date", required=True)
        if not errors:
            draft = MediationDraft(dispute_type=v.get("dispute_type") or "",
                                   title=v.get("title") or "", facts=v.get("facts") or "",
                                   opened_on=opened,
                                   building_number=v.get("building_number") or "")
    elif kind == "party":
        draft = PartyDraft(side=v.get("side") or "", name=v.get("name") or "",
                           room=v.get("room") or "", contact=v.get("contact") or "",
                           address=v.get("address") or "")
    elif kind == "mediator":
        draft = MediatorDraft(name=v.get("name") or "", role=v.get("role") or "")
    elif kind == "session":
        held = _parsed(errors, v, "held_at", parse_datetime, "med.err.datetime", required=True)
        if not errors:
            bases = [BasisDraft(kind="drawing", reference=x) for x in _lines(v.get("drawings"))]
            bases += [BasisDraft(kind="law", reference=x) for x in _lines(v.get("laws"))]
            bases += [BasisDraft(kind="convention", convention_id=str(c))
                      for c in v.get("conventions") or []]
            bases += [BasisDraft(kind="other", reference=x) for x in _lines(v.get("others"))]
            draft = SessionDraft(held_at=held, place=v.get("place") or "",
                                 attendees=v.get("attendees") or "",
                                 said_a=v.get("said_a") or "", said_b=v.get("said_b") or "",
                                 notes=v.get("notes") or "", bases=bases)
    elif kind == "term":
        deadline = _parsed(errors, v, "deadline", parse_date, "med.err.date")
        cost = _parsed(errors, v, "cost", parse_money, "med.err.money")
        if not errors:
            draft = TermDraft(party_id=v.get("party_id") or "",
                              obligation=v.get("obligation") or "", deadline=deadline,
                              cost_fen=cost)
    elif kind == "follow_up":
        at = _parsed(errors, v, "at", parse_datetime, "med.err.datetime", required=True)
        checks = {k.removeprefix("check."): str(x) for k, x in v.items()
                  if k.startswith("check.") and x}
        if not errors:
            draft = FollowUpDraft(at=at, by=v.get("by") or "", notes=v.get("notes") or "",
                                  checks=checks)
    elif kind == "outcome":
        closed = _parsed(errors, v, "closed_on", parse_date, "med.err.date", required=True)
        if not errors:
            draft = OutcomeDraft(outcome=v.get("outcome") or "", reason=v.get("reason") or "",
                                 referred_to=v.get("referred_to") or "", closed_on=closed)
    else:
        raise ValueError(kind)
    return draft, errors


def form_errors(kind: str, values: FormValues, community_id: str,
                mediation_id: str | None = None) -> dict[str, str]:
    """Validate a form as it is typed: the reason per field, nothing written."""
    draft, errors = _draft(kind, values)
    if draft is None:
        return errors
    if kind == "mediation":
        return rules.check_mediation(community_id, cast(MediationDraft, draft))
    if kind == "party":
        return rules.check_party(community_id, cast(PartyDraft, draft))
    if kind == "mediator":
        return rules.check_mediator(cast(MediatorDraft, draft))
    mediation = rules.get_mediation(mediation_id or "")
    checks: dict[str, Any] = {"session": rules.check_session, "term": rules.check_term,
                              "follow_up": rules.check_follow_up, "outcome": rules.check_outcome}
    return dict(checks[kind](mediation, draft))


def save_form(kind: str, values: FormValues, community_id: str,
              mediation_id: str | None = None, item_id: str | None = None,
              case_id: str | None = None) -> str:
    """Save a form (add, or edit ``item_id``); raises MediationError, writing nothing."""
    draft, errors = _draft(kind, values)
    rules.refuse(errors)
    mid = mediation_id or ""
    if kind == "mediation" and not item_id:
        return records.create_mediation(community_id, cast(MediationDraft, draft), case_id)
    if kind == "outcome":
        records.record_outcome(mid, cast(OutcomeDraft, draft))
        return mid
    if item_id and kind in _UPDATE:
        _UPDATE[kind](item_id, draft)
        return item_id
    return str(_ADD[kind](mid, draft))


#: Form kind -> what saving an edited item does (the others are added only).
_UPDATE: dict[str, Any] = {"mediation": records.update_mediation, "party": records.update_party,
                           "mediator": records.update_mediator, "term": records.update_term}
#: Form kind -> what saving a new item of the mediation does.
_ADD: dict[str, Any] = {"party": records.add_party, "mediator": records.add_mediator,
                        "term": records.add_term, "session": records.add_session,
                        "follow_up": records.add_follow_up}
