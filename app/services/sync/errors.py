"""The one error a refused bundle raises (shared by the bundle modules and the importer)."""

from __future__ import annotations


class BundleError(ValueError):
    """A bundle is refused; ``str()`` is the one-line reason."""
