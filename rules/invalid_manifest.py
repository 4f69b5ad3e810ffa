"""A manifest MedPerf refuses: no known container type or image, or not a mapping of fields.

A container config needs a known `container_type` and an `image`; a submission manifest is a
mapping of field names.

Since MedPerf dropped MLCube manifests (PR #642), `container_config.yaml` is read by
`containers/parsers/factory.py`. It needs `container_type`, one of `DockerImage`,
`DockerArchive`, `EncryptedDockerArchive`, `SingularityFile` or `EncryptedSingularityFile`
(the enum also lists `mlcube`, but the parser rejects it; names are case-sensitive), and an
`image`: a registry reference for `DockerImage`, a resource string for the other types.
Without them `medperf container submit` fails before it uploads anything. The type also
decides how `image` is checked, so this finding can explain others.

A submission manifest (`*.medperf.yaml`, `.json`) holds the fields of one `medperf … submit`
(server field names or flag names); a list or a plain value there names no field at all.

The container type and the fields are choices only the author can make.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.input.documents import Document
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL007"
NAME = "invalid-manifest"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# container_config.yaml
container_type: Docker
image: mlcommons/chestxray-tutorial-mobilenetv2:0.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# container_config.yaml
container_type: DockerImage
image: mlcommons/chestxray-tutorial-mobilenetv2:0.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check_document(doc: Document, _ctx: RuleContext) -> Iterator[Diagnostic]:
    for problem in doc.problems:
        yield Diagnostic(problem.message, span=problem.span)
