"""Hybrid logical clock (HLC): physical milliseconds plus a logical counter.

Stamps are fixed-width strings, so comparing strings compares clocks; a stamp joined
with the station id (``hlc/station``) totally orders writes for last-writer-wins.
"""

from __future__ import annotations

from collections.abc import Callable

_WIDTH_MS = 15
_WIDTH_LOGICAL = 6
_MAX_LOGICAL = 10**_WIDTH_LOGICAL - 1


def encode(ms: int, logical: int) -> str:
    return f"{ms:0{_WIDTH_MS}d}-{logical:0{_WIDTH_LOGICAL}d}"


def decode(stamp: str) -> tuple[int, int]:
    ms, logical = stamp.split("-", 1)
    return int(ms), int(logical)


def stamp_key(hlc: str, station: str) -> str:
    """The total order used by last-writer-wins: HLC first, then station id."""
    return f"{hlc}/{station}"


class HLC:
    """A hybrid logical clock driven by a millisecond wall-clock function."""

    def __init__(self, wall_ms: Callable[[], int], last: str | None = None) -> None:
        self._wall_ms = wall_ms
        self._ms, self._logical = decode(last) if last else (0, 0)

    @property
    def last(self) -> str:
        return encode(self._ms, self._logical)

    def tick(self) -> str:
        """A new stamp, later than every stamp issued or observed so far."""
        wall = self._wall_ms()
        if wall > self._ms:
            self._ms, self._logical = wall, 0
        elif self._logical >= _MAX_LOGICAL:
            # A million stamps in one millisecond (bulk generation under a fixed clock):
            # borrow the next millisecond rather than widen the stamp, which would break
            # both the fixed width and the string order.
            self._ms, self._logical = self._ms + 1, 0
        else:
            self._logical += 1
        return self.last

    def observe(self, remote: str) -> None:
        """Move past a stamp received from another station."""
        ms, logical = decode(remote)
        if (ms, logical) > (self._ms, self._logical):
            self._ms, self._logical = ms, logical
