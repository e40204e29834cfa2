"""How a case's times read wherever a case appears: its age and its time left."""

from __future__ import annotations

from rich.text import Text

from app.i18n import t


def time_left_text(hours: float | None) -> Text:
    """Countdown, or how late (bold red) — the same wording wherever a case appears."""
    if hours is None:
        return Text("—")
    if -1 < hours < 1:
        minutes = round(abs(hours) * 60)
        key = "cases.overdue_minutes" if hours < 0 else "cases.minutes_left"
        return Text(t(key, m=minutes), style="bold red" if hours < 0 else "bold yellow")
    if hours < 0:
        late = -hours
        text = t("cases.overdue", h=f"{late:.0f}") if late < 48 else \
            t("cases.overdue_days", d=f"{late / 24:.0f}")
        return Text(text, style="bold red")
    if hours < 24:
        return Text(t("cases.hours_left", h=f"{hours:.0f}"),
                    style="bold yellow" if hours < 2 else "")
    return Text(t("cases.days_left", d=f"{hours / 24:.1f}"))


def age_text(hours: float) -> str:
    return t("cases.age_hours", h=f"{hours:.0f}") if hours < 48 else \
        t("cases.age_days", d=f"{hours / 24:.0f}")
