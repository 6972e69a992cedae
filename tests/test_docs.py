"""The README and docs/ point at each other and at the repository: every relative link resolves, to a file that
exists and, with a #fragment, to a heading of that document (GitHub's anchor of it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but hyphens dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found, in_code = set(), False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(anchor(line.lstrip("#")))
    return found


def test_the_documents_are_there() -> None:
    names = {d.relative_to(REPO).as_posix() for d in DOCUMENTS}
    assert {"README.md", "docs/operations.md", "docs/warehouse.md", "docs/guarantees.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.relative_to(REPO).as_posix())
def test_every_relative_link_resolves(document: Path) -> None:
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        dest = (document.parent / path).resolve() if path else document
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            broken.append(f"{target}: no such heading")
    assert broken == [], f"{document.relative_to(REPO)}: {broken}"
