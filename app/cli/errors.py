"""The one exception every ``mulin`` command raises to refuse: a line and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """A refusal with a one-line reason; ``status`` is the exit code."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status
