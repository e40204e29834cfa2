"""What every figure shares: samples, their statistics, a reference, a target, a verdict."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OK, NOT_YET, ERROR = "ok", "not available yet", "error"


def summary(samples: list[float]) -> dict[str, float]:
    """Median and spread of repeated measurements (min, max, p95, interquartile range)."""
    if not samples:
        return {}
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    return {"n": len(ordered), "median": statistics.median(ordered), "min": ordered[0],
            "max": ordered[-1], "p95": percentile(ordered, 95), "iqr": q[2] - q[0]}


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile by linear interpolation (p50 = median)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Target:
    """A target as the issue states it: ``stat`` of the figure ``op`` ``limit``.

    ``kind`` is ``ratio`` (figure / reference) or ``absolute`` (the figure's own value).
    """

    text: str
    stat: str
    op: str  # "<=", "<", ">="
    limit: float
    kind: str = "ratio"

    def check(self, value: float) -> bool:
        return {"<=": value <= self.limit, "<": value < self.limit,
                ">=": value >= self.limit}[self.op]


@dataclass
class Figure:
    """One measured figure with its samples and, where it has one, its reference."""

    key: str
    title: str
    unit: str
    status: str = OK
    samples: list[float] = field(default_factory=list)
    reference: str = ""
    reference_samples: list[float] = field(default_factory=list)
    target: Target | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stats(self) -> dict[str, float]:
        return summary(self.samples)

    @property
    def reference_stats(self) -> dict[str, float]:
        return summary(self.reference_samples)

    def value(self, stat: str) -> float | None:
        return self.stats.get(stat) if self.samples else None

    def ratio(self, stat: str = "median") -> float | None:
        mine, ref = self.stats.get(stat), self.reference_stats.get(stat)
        if mine is None or not ref:
            return None
        return mine / ref

    def verdict(self) -> dict[str, Any] | None:
        """Met or missed, and by how much (``None`` when there is no target or no data)."""
        if self.target is None or self.status != OK:
            return None
        t = self.target
        value = self.ratio(t.stat) if t.kind == "ratio" else self.value(t.stat)
        if value is None:
            return None
        met = t.check(value)
        gap = value / t.limit if t.limit else float("inf")
        return {"target": t.text, "value": value, "limit": t.limit, "met": met,
                "by": gap if t.op != ">=" else (t.limit / value if value else float("inf"))}

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "unit": self.unit, "status": self.status,
            "stats": self.stats, "samples": self.samples, "reference": self.reference,
            "reference_stats": self.reference_stats, "reference_samples": self.reference_samples,
            "ratio_median": self.ratio(), "target": self.target.__dict__ if self.target else None,
            "verdict": self.verdict(), "note": self.note, "extra": self.extra,
        }


def unavailable(key: str, title: str, unit: str, why: str = "",
                target: Target | None = None) -> Figure:
    """A figure whose feature has not landed yet (sync, search, check …)."""
    return Figure(key, title, unit, status=NOT_YET, note=why, target=target)


def failed(key: str, title: str, unit: str, exc: BaseException,
           target: Target | None = None) -> Figure:
    return Figure(key, title, unit, status=ERROR, note=f"{type(exc).__name__}: {exc}"[:500],
                  target=target)


def guarded(key: str, title: str, unit: str, run: Callable[[], list[Figure]],
            target: Target | None = None) -> list[Figure]:
    """Run a measurement; an exception becomes an ``error`` figure instead of a crash."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - one broken figure must not sink the report
        return [failed(key, title, unit, exc, target)]
