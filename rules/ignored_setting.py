"""A network or credential setting in a project config, which only you may set.

In CI the repository being linted is untrusted: a pull request writes its `pyproject.toml`
too. `github-api-url` and `synapse-endpoint` decide where the CI's `GITHUB_TOKEN` and Synapse
token are sent, `allow-private-hosts` lifts the guard against loopback and cloud-metadata
addresses, and `cache-dir` decides which stored results are believed. In a config found in
the linted tree (or named with `--config`) these keys are ignored, and this warning names
each one and where to put it instead: the command line, its `MEDPERF_LINT_…` environment
variable, or your own `$XDG_CONFIG_HOME/medperf-lint/config.toml`. The engine emits this
rule; it has no check of its own.

Move the key to your user config, or set it with its flag or variable.
"""

from __future__ import annotations

from medperf_lint.findings import FixAvailability, Severity

CODE = "MPL903"
NAME = "ignored-setting"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE

EXAMPLE_CONFIG = """\
# .medperf-lint.toml in the pull request
github-api-url = "https://attacker.example/api"
"""
EXAMPLE_CONFIG_PASSING = """\
# .medperf-lint.toml: rule settings only
select = ["ALL"]
"""
EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
docs_url: https://docs.medperf.org/
"""
EXAMPLE_PASSING = EXAMPLE_FAILING
