"""Who may see and do what: the one permission table (role × data seen × action done).

Roles: ``duty`` 值班人员, ``grid_worker`` 网格员, ``admin`` 书记/管理员.

Data seen (:data:`SEES`), field by role (the ``role`` None is a station with operators
and nobody signed in: everything masked, nothing allowed):

============  ===========  ===========  =========
field         duty         grid_worker  admin
============  ===========  ===========  =========
id_number     masked       masked       reveal
phone         own_case     own_grid     reveal
health_note   masked       own_grid     shown
============  ===========  ===========  =========

*masked*: always masked; *reveal*: masked until the operator asks, each reveal logged
(:func:`app.services.trust.audit.reveal`); *shown*: in clear; *own_case*: in clear on a
case the operator handles, masked elsewhere; *own_grid*: in clear for residents of the
operator's own grid, masked elsewhere.

Actions done (:data:`DOES`): only admin manages operators, settings and keys, restores
backups and assigns grid chiefs and grid workers to grids; any signed-in role records
cases, visits and mediations. Services call :func:`require`, which raises
:class:`Refused` (a catalog message); screens and the CLI only ask (:func:`may`) to hide
what would be refused.
"""

from __future__ import annotations

from enum import Enum

from app.i18n import t

ROLES = ("duty", "grid_worker", "admin")


class Access(Enum):
    MASKED = "masked"
    OWN_CASE = "own_case"
    OWN_GRID = "own_grid"
    REVEAL = "reveal"
    SHOWN = "shown"


SEES: dict[str, dict[str, Access]] = {
    "id_number": {"duty": Access.MASKED, "grid_worker": Access.MASKED,
                  "admin": Access.REVEAL},
    "phone": {"duty": Access.OWN_CASE, "grid_worker": Access.OWN_GRID,
              "admin": Access.REVEAL},
    "health_note": {"duty": Access.MASKED, "grid_worker": Access.OWN_GRID,
                    "admin": Access.SHOWN},
}
#: Column names that hold the same kind of data under another name.
ALIASES = {"reporter_phone": "phone", "contact": "phone"}

DOES: dict[str, tuple[str, ...]] = {
    "operators.manage": ("admin",),
    "settings.manage": ("admin",),
    "keys.manage": ("admin",),
    "backup.restore": ("admin",),
    "grid.staff": ("admin",),  # who is a grid's 网格长 / 网格员 (places.staffing)
}


class Refused(PermissionError):
    """The operator's role may not do this; ``key`` names the catalog message."""

    def __init__(self, action: str, role: str | None) -> None:
        self.action, self.role = action, role
        self.key = f"refused.{action}" if role else "refused.signin"
        super().__init__(t(self.key, role=t(f"role.{role}") if role else ""))


def kind(field: str) -> str:
    """The kind of personal data a column holds (``reporter_phone`` is a ``phone``)."""
    return ALIASES.get(field, field)


def is_personal(field: str) -> bool:
    return kind(field) in SEES


def access(role: str | None, field: str) -> Access:
    """How ``role`` sees ``field``; fields that are not personal are always shown."""
    rules = SEES.get(kind(field))
    if rules is None:
        return Access.SHOWN
    return rules.get(role or "", Access.MASKED)


def may_reveal(role: str | None, field: str) -> bool:
    return access(role, field) is Access.REVEAL


def may(role: str | None, action: str) -> bool:
    """May ``role`` take ``action``? Unknown actions are refused."""
    return role in DOES.get(action, ())


def require(action: str, role: str | None) -> None:
    """Raise :class:`Refused` unless ``role`` may take ``action``."""
    if not may(role, action):
        raise Refused(action, role)
