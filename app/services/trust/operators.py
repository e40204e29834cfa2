"""Operators 操作员: PINs, sign-in with rate limiting, the operator on duty and its grid.

Roles: ``duty`` 值班人员 (duty staff), ``grid_worker`` 网格员, ``admin`` 书记/管理员; what
each may see and do is :mod:`app.services.trust.permissions`. The signed-in operator is
kept here (one per process, like the store's station context) and stamped on every
change (``Change.operator`` = the operator's id). A grid worker's own grid is the synced
setting ``operator.grid.<name>``. Only an admin adds or removes operators, except the very
first one (``mulin init --admin``), who makes the station one that needs a PIN. A
station without any operator (an old file, service tests) acts as ``admin``.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from app import clock, store
from app.i18n import t
from app.services.trust.permissions import ROLES, require
from app.services.trust.roster import OperatorView, ranked
from models.db import db
from models.operators import Operator
from models.sync import LocalState

#: Free tries before wrong PINs start locking sign-in, the first lockout, the longest.
FREE_TRIES = 3
FIRST_LOCKOUT = timedelta(seconds=30)
MAX_LOCKOUT = timedelta(minutes=15)

#: Demo operators made by ``mulin demo`` / ``mulin --demo`` (PINs are in the README).
DEMO_OPERATORS = (("管理员", "admin", "0000"), ("值班员", "duty", "1111"),
                  ("网格员", "grid_worker", "2222"))


class OperatorError(ValueError):
    """An operator cannot be added, or a sign-in is refused."""


class SignInLocked(OperatorError):
    """Too many wrong PINs: sign-in for this operator waits ``seconds``."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many wrong PINs; try again in {seconds} s")
        self.seconds = seconds


class WrongPin(OperatorError):
    """The PIN does not match; ``left`` free tries remain before a lockout."""

    def __init__(self, left: int) -> None:
        super().__init__("wrong PIN")
        self.left = left


@cache
def _operator_in() -> Any:
    """The model of a new operator, built on first use (pydantic is not on the desk's way
    to its sign-in screen, issue 16)."""
    from pydantic import BaseModel, Field, field_validator

    class OperatorIn(BaseModel):
        """A new operator, validated before anything is written."""

        name: str = Field(min_length=1, max_length=40)
        role: str
        pin: str

        @field_validator("name")
        @classmethod
        def _name(cls, v: str) -> str:
            v = v.strip()
            if not v:
                raise ValueError(t("faults.msg.name_empty"))
            return v

        @field_validator("role")
        @classmethod
        def _role(cls, v: str) -> str:
            if v not in ROLES:
                raise ValueError(t("faults.msg.role", roles=", ".join(ROLES)))
            return v

        @field_validator("pin")
        @classmethod
        def _pin(cls, v: str) -> str:
            return check_pin(v)

    return OperatorIn


def check_pin(pin: str) -> str:
    """A PIN is 4 to 8 digits (full-width digits from an IME are accepted)."""
    import unicodedata

    pin = unicodedata.normalize("NFKC", pin).strip()
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValueError(t("faults.msg.pin"))
    return pin


# --- hashing -------------------------------------------------------------------------


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, random 16-byte salt, RFC 9106 low-memory profile


def hash_pin(pin: str) -> str:
    """A slow salted Argon2id hash of the PIN (the only form ever stored)."""
    return str(_hasher().hash(check_pin(pin)))


def verify_pin(pin_hash: str, pin: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(pin_hash, pin))
    except (VerificationError, InvalidHashError):
        return False


# --- operators -------------------------------------------------------------------------


def _view(op: Operator) -> OperatorView:
    return OperatorView(op.id, op.name, op.role)


def has_operators() -> bool:
    """True when sign-in is required on this station."""
    if not Operator.table_exists():
        return False
    return bool(Operator.select().where(Operator.deleted == False).exists())  # noqa: E712


def list_operators() -> list[OperatorView]:
    query = Operator.select().where(Operator.deleted == False)  # noqa: E712
    return ranked(_view(o) for o in query)


def get(operator_id: str) -> OperatorView | None:
    op = Operator.get_or_none(Operator.id == operator_id)
    return _view(op) if op else None


def add_operator(name: str, role: str, pin: str, operator_id: str | None = None,
                 grid_id: str = "") -> str:
    """Add an operator (validated first; the PIN is hashed before the transaction).

    Only an admin may, except for the first operator of a station, who must be an
    admin (``mulin init --admin``): a station is never left without one.
    """
    from pydantic import ValidationError

    try:
        data = _operator_in()(name=name, role=role, pin=pin)
    except ValidationError as exc:
        raise OperatorError("; ".join(e["msg"] for e in exc.errors())) from exc
    first = not has_operators()
    if first and data.role != "admin":
        raise OperatorError(t("trust.first_admin"))
    if not first:
        require("operators.manage", current_role())
    taken = Operator.select().where((Operator.name == data.name)
                                    & (Operator.deleted == False)).exists()  # noqa: E712
    if taken:
        raise OperatorError(t("faults.msg.operator_exists", name=data.name))
    pin_hash = hash_pin(data.pin)
    with store.write() as tx:
        values: dict[str, Any] = {"name": data.name, "role": data.role, "pin_hash": pin_hash}
        if operator_id:
            values["id"] = operator_id
        new_id = tx.insert(Operator, **values)
        _forget_role()
        if grid_id:
            _put_grid(data.name, grid_id)
    return str(new_id)


def remove_operator(operator_id: str) -> None:
    require("operators.manage", current_role())
    with store.write() as tx:
        tx.delete(Operator, operator_id)
    _forget_role()


def _forget_role() -> None:
    global _nobody_role
    _nobody_role = None


def _put_grid(name: str, grid_id: str) -> None:
    # Keyed by name, not by the random id: the same demo gives the same content digest.
    from app.services.station import settings

    settings.put_json(f"operator.grid.{name}", grid_id)


def set_grid(name: str, grid_id: str) -> None:
    """Assign a grid worker to a grid (admin only): its residents' phones and health
    notes show in clear to them."""
    require("operators.manage", current_role())
    _put_grid(name, grid_id)


def grid_of(name: str) -> str:
    from app.services.station import settings

    value = settings.get_json(f"operator.grid.{name}")
    return value if isinstance(value, str) else ""


def add_demo_operators() -> list[OperatorView]:
    """The demo station's operators (admin 0000, duty 1111, grid worker 2222, who works
    the community's first grid); those a demo cut short did not add yet are added."""
    ops = list_operators()
    have = {o.name for o in ops}
    if all(name in have for name, _role, _pin in DEMO_OPERATORS):
        return ops
    from models.places import Grid

    first = Grid.select(Grid.id).order_by(Grid.name, Grid.id).first()
    global _current
    _current = next((o for o in ops if o.role == "admin"), None)  # an admin adds them
    for name, role, pin in DEMO_OPERATORS:
        if name in have:
            continue
        new_id = add_operator(name, role, pin, grid_id=first.id if first and
                              role == "grid_worker" else "")
        if role == "admin" and _current is None:
            _current = get(new_id)  # the first admin adds the others
    _current = None
    return list_operators()


# --- the session ------------------------------------------------------------------------

_current: OperatorView | None = None


def current() -> OperatorView | None:
    """The operator signed in in this process, if any."""
    return _current


def current_role() -> str | None:
    """The role on duty; ``admin`` on a station without operators, None when a station
    with operators has nobody signed in (everything personal masked, nothing allowed)."""
    if _current is not None:
        return _current.role
    global _nobody_role
    now, where = time.monotonic(), str(db.database)
    if _nobody_role is None or _nobody_role[0] != where or now - _nobody_role[1] > 1.0:
        # masking asks for every cell of a page: look at the operators once a second
        _nobody_role = (where, now, None if has_operators() else "admin")
    return _nobody_role[2]


_nobody_role: tuple[str, float, str | None] | None = None


def current_grid() -> str:
    """The grid of the grid worker on duty ("" for other roles)."""
    if _current is None or _current.role != "grid_worker":
        return ""
    if _current.id not in _grids:
        _grids[_current.id] = grid_of(_current.name)
    return _grids[_current.id]


_grids: dict[str, str] = {}


def _set_current(op: OperatorView | None) -> None:
    global _current, _nobody_role
    _current, _nobody_role = op, None
    _grids.clear()
    try:
        store.context().operator = op.id if op else ""
    except store.NoStationError:
        pass


def sign_in_as(operator_id: str) -> OperatorView:
    """Sign in without a PIN (tests and ``MulinApp(operator=...)``)."""
    view = get(operator_id)
    if view is None:
        raise OperatorError(t("faults.msg.no_operator"))
    _set_current(view)
    return view


def sign_out() -> None:
    _set_current(None)


def _failures() -> dict[str, dict[str, Any]]:
    row = LocalState.get_or_none(LocalState.id == "signin_failures")
    return json.loads(row.value) if row else {}


def _save_failures(data: dict[str, dict[str, Any]]) -> None:
    # Local bookkeeping (never synced, never content): written directly.
    with db.atomic():
        LocalState.insert(id="signin_failures",
                          value=json.dumps(data)).on_conflict_replace().execute()


def lockout_left(operator_id: str) -> int:
    """Seconds before this operator may try a PIN again (0 = now)."""
    entry = _failures().get(operator_id)
    if not entry or not entry.get("until"):
        return 0
    left = datetime.fromisoformat(entry["until"]) - clock.now()
    return max(0, int(left.total_seconds() + 0.999))


def _lockout(count: int) -> timedelta:
    over = count - FREE_TRIES
    return min(FIRST_LOCKOUT * (2 ** max(0, over)), MAX_LOCKOUT)


def _record_failure(operator_id: str) -> int:
    data = _failures()
    entry = data.get(operator_id, {"count": 0, "until": None})
    entry["count"] = int(entry["count"]) + 1
    if entry["count"] >= FREE_TRIES:
        entry["until"] = (clock.now() + _lockout(entry["count"])).isoformat()
    data[operator_id] = entry
    _save_failures(data)
    return max(0, FREE_TRIES - entry["count"])


def sign_in(operator_id: str, pin: str) -> OperatorView:
    """Check the PIN and make this operator the one on duty.

    Raises :class:`SignInLocked` while a lockout runs (without checking the PIN) and
    :class:`WrongPin` for a wrong PIN; after ``FREE_TRIES`` wrong PINs each further one
    locks sign-in for 30 s, doubling up to 15 minutes. A right PIN clears the count.
    """
    left = lockout_left(operator_id)
    if left:
        raise SignInLocked(left)
    op = Operator.get_or_none((Operator.id == operator_id) & (Operator.deleted == False))  # noqa: E712
    if op is None:
        raise OperatorError(t("faults.msg.no_operator"))
    if not verify_pin(op.pin_hash, pin):
        raise WrongPin(_record_failure(operator_id))
    data = _failures()
    if data.pop(operator_id, None) is not None:
        _save_failures(data)
    view = _view(op)
    _set_current(view)
    return view


def check_current_pin(pin: str) -> OperatorView:
    """Unlock: the PIN of the operator on duty (same rate limit as sign-in)."""
    if _current is None:
        raise OperatorError(t("trust.nobody_signed_in"))
    return sign_in(_current.id, pin)
