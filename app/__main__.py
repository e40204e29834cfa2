"""``python -m app`` does what the ``mulin`` console script does."""

from app.cli import main

raise SystemExit(main())
