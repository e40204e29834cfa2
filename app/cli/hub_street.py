"""``mulin hub queue``, ``mulin hub act`` and ``mulin hub order``: the street's work."""

from __future__ import annotations

import argparse
from typing import Any

from app import clock
from app.cli.common import CliError, Env
from app.i18n import t


def register_hub(hub_sub: Any, add: Any) -> None:
    add(hub_sub, "queue", "街道待办：上报到街道或区的案件 / cases escalated to the street",
        cmd_queue)
    a = add(hub_sub, "act", "签收、办理、办结、退回社区、下派 / act on a street case", cmd_act)
    a.add_argument("number", metavar="CASE")
    a.add_argument("action", choices=("sign", "start", "resolve", "return", "dispatch"))
    a.add_argument("--note", default="")
    a.add_argument("--actor", default="")
    o = add(hub_sub, "order", "街道新建工单（如 12345）/ a new work order at the street",
            cmd_order)
    o.add_argument("--community", required=True, metavar="NAME")
    o.add_argument("--description", required=True)
    o.add_argument("--category", default="110", choices=("110", "114", "119", "120", "122"))
    o.add_argument("--place", default="")
    o.add_argument("--phone", default="")


def cmd_queue(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import opened
    from app.services.hub import street

    with opened(args):
        rows = street.queue()
    for r in rows:
        due = f"{r.due:%m-%d %H:%M}" if r.due else "-"
        late = t("hub.street.overdue") if r.overdue else ""
        print(f"{r.number}\t{r.community}\t{t('colour.' + r.colour)}\t{t('state.' + r.state)}"
              f"\t{t('level.' + r.level)}\t{due}{late}\t{r.description[:30]}")
    if not rows:
        print(t("hub.street.empty"))
    return 0


def cmd_act(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import opened
    from app.services.hub import street
    from app.services.hub.database import HubError

    with opened(args):
        try:
            state = street.act(args.number, args.action, args.note, args.actor)
        except HubError as exc:
            raise CliError(str(exc)) from exc
    print(t("hub.street.done", number=args.number, state=t(f"state.{state}")))
    return 0


def cmd_order(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import _community, opened
    from app.services.hub import street
    from app.services.hub.database import HubError

    with opened(args):
        try:
            new = street.new_order(_community(args.community), args.description,
                                   args.category, args.place, args.phone)
        except HubError as exc:
            raise CliError(str(exc)) from exc
    print(t("hub.street.ordered", number=new.number,
            due=f"{clock.local(new.due_resolution):%Y-%m-%d %H:%M}"))
    return 0
