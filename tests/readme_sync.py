"""Generate the README's rule table and --help block, and docs/rules.md, from the code.

`python tests/readme_sync.py --write` rewrites them; tests/unit/test_readme.py fails when the
README and the code disagree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
RULES_DOC = README.parent / "docs" / "rules.md"


def rules_table() -> str:
    from medperf_lint.rules import RULES

    rows = ["| code | name | severity | mode | what it finds |", "|---|---|---|---|---|"]
    for r in RULES:
        mode = "online" if r.online else "offline"
        summary = r.summary.replace("|", "\\|")
        rows.append(f"| {r.code} | `{r.name}` | {r.severity_text} | {mode} | {summary} |")
    return "\n".join(rows)


def rules_doc() -> str:
    """docs/rules.md, the catalogue SARIF's helpUri links to."""
    from medperf_lint.catalogue import catalogue_markdown
    from medperf_lint.rules import RULES

    return catalogue_markdown(RULES)


def help_text(*command: str) -> str:
    env = {**os.environ, "COLUMNS": "100"}
    out = subprocess.run(
        [sys.executable, "-m", "medperf_lint", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return "```text\n" + out.rstrip() + "\n```"


def section(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    return match.group(1).strip() if match else ""


def replace_section(text: str, name: str, body: str) -> str:
    return re.sub(
        rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
        lambda m: m.group(1) + body + "\n" + m.group(2),
        text,
        flags=re.S,
    )


def main() -> None:
    text = README.read_text(encoding="utf-8")
    text = replace_section(text, "rules-table", rules_table())
    text = replace_section(text, "help", help_text())
    text = replace_section(text, "audit-help", help_text("audit"))
    if "--write" in sys.argv:
        README.write_text(text, encoding="utf-8")
        RULES_DOC.parent.mkdir(exist_ok=True)
        RULES_DOC.write_text(rules_doc(), encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
