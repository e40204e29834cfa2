"""``mulin hub serve`` and ``mulin hub token …`` (bundles over HTTP)."""

from __future__ import annotations

from typing import Any


def register_hub(hub_sub: Any, add: Any) -> None:
    """Added in the network step."""
