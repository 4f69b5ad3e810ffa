"""A MedPerf server entity a finding is about (``medperf-lint audit`` sets it).

Its own module so that every other run, which reads no server entity, does not define it at
start-up (a frozen dataclass costs about half a millisecond to define).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntityRef:
    """An entity registered on a MedPerf server, and the field of it a finding is about.

    ``remote`` is the URL of the small YAML file (``git_mlcube_url``, ``git_parameters_url``)
    that ``field`` names when the finding is about a value inside that file; ``inner`` is that
    value's field in the remote file, and the finding's span is its position there.
    """

    kind: str  # container, model, asset, benchmark, training experiment
    id: int
    name: str
    owner: int | str | None = None
    url: str | None = None  # the entity's own API address
    field: str | None = None
    remote: str | None = None
    inner: str | None = None

    @property
    def label(self) -> str:
        """``container 42 "brats-seg-v2"``: how every report names the entity."""
        return f"{self.kind} {self.id} {_quoted(self.name)}"

    @property
    def where(self) -> str:
        """The label and the field: ``container 42 "x" · additional_files_tarball_url``."""
        return f"{self.label} · {self.field}" if self.field else self.label


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
