"""The text of a small YAML file a submission body names by URL (``git_mlcube_url``,
``git_parameters_url``): the fact :mod:`medperf_lint.remote` reads as another document.

MedPerf's MLCube-era client downloaded these files and ran what they said, so an online run
downloads them too (:mod:`medperf_lint.providers.remote_manifest`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Body fields (server names and `medperf mlcube submit` flag names) naming a remote manifest.
REMOTE_FIELDS = frozenset(
    {"git_mlcube_url", "mlcube_file", "git_parameters_url", "parameters_file"}
)
MAX_MANIFEST_BYTES = 1024 * 1024  # an MLCube manifest or parameters file is a few KiB


@dataclass(frozen=True)
class RemoteText:
    """A downloaded manifest's text, or why there is none to read."""

    url: str
    text: str | None = None
    problem: str | None = None  # said about the file (too large, not UTF-8)
    unavailable: str | None = None  # not downloaded: the HTTP rules report the URL itself
