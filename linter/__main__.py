"""``python -m medperf_lint``."""

from __future__ import annotations

import sys

from medperf_lint.cli import main

sys.exit(main())
