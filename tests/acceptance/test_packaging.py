"""What `pip install medperf-lint` puts on disk, and what an offline run imports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from clikit import HANG_GUARD, ROOT
from medperf_lint import __version__
from medperf_lint.rules import RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PIP = (sys.executable, "-m", "pip")
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".ci-venv", ".venv", "venv"
)


@dataclass(frozen=True)
class Build:
    wheel: Path
    log: str  # what pip and the build backend printed (not quieted: warnings show here)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A wheel built from a clean copy of the tree (a stale build/ folder leaks old modules)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    out = base / "dist"
    proc = subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [built] = out.glob("medperf_lint-*.whl")
    return Build(built, proc.stdout + proc.stderr)


@pytest.fixture(scope="module")
def wheel(build: Build) -> Path:
    return build.wheel


# What setuptools prints for a pyproject.toml it will stop accepting (a license table, a
# package that is shipped but not listed, ...): a first `pip install .` must print none.
_BUILD_WARNING = re.compile(r"(?i)deprecat|BuildBackendWarning|SetuptoolsWarning|!!")


def test_building_prints_no_setuptools_warning(build: Build) -> None:
    warned = [line for line in build.log.splitlines() if _BUILD_WARNING.search(line)]
    assert warned == []


def test_license_is_an_spdx_expression_and_the_build_backend_understands_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    # SPDX strings in project.license arrived in setuptools 77; an older one refuses them.
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_wheel_metadata_names_the_license(wheel: Path) -> None:
    metadata = zipfile.ZipFile(wheel).read(f"medperf_lint-{__version__}.dist-info/METADATA")
    assert b"\nLicense-Expression: Apache-2.0\n" in metadata


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [*PIP, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def _source_modules() -> set[str]:
    """Every module in linter/ and rules/, as the path it must have in the wheel."""
    names = set()
    for folder, package in (
        (ROOT / "linter", "medperf_lint"),
        (ROOT / "rules", "medperf_lint/rules"),
    ):
        names |= {f"{package}/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*.py")}
    return names


def test_wheel_ships_every_module_rule_and_py_typed(wheel: Path) -> None:
    from medperf_lint.rules import _MODULES

    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = {f"medperf_lint/rules/{m.__name__.rsplit('.', 1)[1]}.py" for m in _MODULES}
    assert len(rule_files) == len(RULES)
    assert rule_files <= names
    assert _source_modules() <= names
    assert "medperf_lint/py.typed" in names
    assert "medperf_lint/schemas/json-output-v1.schema.json" in names  # --format json's schema


def test_wheel_installs_only_the_medperf_lint_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert top == {"medperf_lint", f"medperf_lint-{__version__}.dist-info"}
    entry_points = zipfile.ZipFile(wheel).read(
        f"medperf_lint-{__version__}.dist-info/entry_points.txt"
    )
    assert b"medperf-lint = medperf_lint.cli:main" in entry_points


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter that sees the dependencies but not the editable checkout.

    The editable install maps ``medperf_lint.*`` to the source tree through a finder that a
    ``.pth`` file starts; it would quietly supply any module the wheel lacks. A fresh venv
    whose ``.pth`` only adds the dependency folder to ``sys.path`` runs no such hook.
    """
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _run_installed(
    python: Path, target: Path, code: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [str(python), "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


def test_installed_wheel_registers_every_rule(
    bare_python: Path, installed: Path, tmp_path: Path
) -> None:
    proc = _run_installed(
        bare_python,
        installed,
        "import medperf_lint, medperf_lint.rules as r; print(medperf_lint.__file__); "
        "print(len(r.RULES))",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    where, count = proc.stdout.split()
    assert Path(where).is_relative_to(installed)  # the wheel, not the editable checkout
    assert int(count) == len(RULES)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_installed_wheel_lints_the_examples(
    bare_python: Path, installed: Path, tmp_path: Path, fmt: str
) -> None:
    examples = ROOT / "examples"
    proc = _run_installed(
        bare_python,
        installed,
        "import sys, medperf_lint, medperf_lint.cli as c; "
        f"assert medperf_lint.__file__.startswith({str(installed)!r}); "
        f"sys.exit(c.main(['--offline', '--format', {fmt!r}, {str(examples)!r}]))",
        tmp_path,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert str(examples / "bad") in proc.stdout
    assert str(examples / "good") not in proc.stdout


# An offline run is a pre-commit hook beside yamllint, so it may load what yamllint loads: the
# standard library, the YAML parser and medperf-lint's offline modules. Named here, with a reason,
# what must never come back: each was once loaded at start-up and cost time no offline run uses.
NEVER_OFFLINE = (
    "aiohttp",  # builds two TLS contexts as it is imported
    "yarl",
    "multidict",
    "requests",
    "urllib3",
    "certifi",
    "synapseclient",
    "rich",  # a progress bar is drawn online and on a terminal only
    "ssl",
    "socket",
    "asyncio",
    "http",
    "medperf_lint.net",
    "medperf_lint.providers",
    "medperf_lint.gather",
    "medperf_lint.remote",
    "medperf_lint.audit",
    "medperf_lint.facts",  # rules read facts only when an online run gathered some
)
# PyYAML's C extension is built with Cython, which registers these runtime modules.
_CYTHON = re.compile(r"^(_cython_\w+|cython_runtime)$")


def _modules_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (its last output line).
    Without the suite's output check, which loads jsonschema to validate what is printed."""
    env = {k: v for k, v in os.environ.items() if k != "MPL_TESTS_OUTPUT_LOG"}
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}; import sys; print(*sorted(sys.modules))"],
        cwd=cwd,
        env=env,
        capture_output=True,  # stdout is a pipe, not a TTY, as under pre-commit and CI
        text=True,
        timeout=HANG_GUARD,
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.splitlines()[-1].split())


def _offline_may_load(name: str) -> bool:
    top = name.partition(".")[0]
    return (
        top in sys.stdlib_module_names
        or top in ("yaml", "_yaml", "medperf_lint")
        or _CYTHON.match(name) is not None
    )


def _never(name: str) -> bool:
    return any(name == bad or name.startswith(f"{bad}.") for bad in NEVER_OFFLINE)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_offline_run_loads_only_the_standard_library_yaml_and_offline_modules(
    tmp_path: Path, fmt: str
) -> None:
    bare = _modules_after("pass", tmp_path)  # site's own (.pth hooks, an editable finder)
    loaded = _modules_after(
        "import medperf_lint.cli as c; "
        f"c.main(['--offline', '--format', {fmt!r}, {str(ROOT / 'examples')!r}])",
        tmp_path,
    )
    new = loaded - bare
    assert {m for m in new if "medperf_lint.rules." in m}, "the run did not load the rules"
    assert sorted(m for m in new if _never(m)) == []
    assert sorted(m for m in new if not _offline_may_load(m)) == []
