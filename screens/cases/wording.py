"""How a case's times read wherever a case appears: its age and its time left."""

from __future__ import annotations

from rich.text import Text

from app.i18n import t
from app.services.cases import views as case_views

#: how a countdown's tone is drawn
TONE_STYLE = {"late": "bold red", "soon": "bold yellow", "near": "", "": ""}


def time_left_text(hours: float | None) -> Text:
    """Countdown, or how late (bold red) — the same words as in handover files."""
    words, tone = case_views.time_left_words(hours)
    return Text(words, style=TONE_STYLE[tone])


def age_text(hours: float) -> str:
    return t("cases.age_hours", h=f"{hours:.0f}") if hours < 48 else \
        t("cases.age_days", d=f"{hours / 24:.0f}")
