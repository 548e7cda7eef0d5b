"""The head revision of server/migrations/versions, read without importing Alembic.

`razem serve` checks that the database is at the head before it serves. Alembic's
ScriptDirectory (with Mako and Pygments, which Alembic imports) stayed in the serving process
for its whole life: ~10 MB of resident memory for one comparison (issue 9, docs/performance.md
"Server memory"). Each migration file assigns `revision` and `down_revision` (a string, None,
or a tuple for a merge) at module level, as Alembic's template writes them; the head is the one
revision no other revision revises. tests/db/test_migrations.py checks that this agrees with
Alembic's own answer.
"""

from __future__ import annotations

import ast
from pathlib import Path

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"


class UnreadableRevisions(ValueError):
    """The versions folder is not one chain this reader understands (no head or several)."""


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                assert node.value is not None
                return ast.literal_eval(node.value)
    raise UnreadableRevisions(f"no {name} assigned")


def revisions(folder: Path = VERSIONS_DIR) -> dict[str, tuple[str, ...]]:
    """Each revision and the revisions it revises."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        revision = _assigned(tree, "revision")
        down = _assigned(tree, "down_revision")
        parents = () if down is None else (down,) if isinstance(down, str) else tuple(down)  # type: ignore[arg-type]
        if not isinstance(revision, str) or not all(isinstance(p, str) for p in parents):
            raise UnreadableRevisions(f"{path.name}: revision ids are not strings")
        found[revision] = parents
    return found


def head_revision(folder: Path = VERSIONS_DIR) -> str | None:
    """The one head revision (None when there are no migrations)."""
    found = revisions(folder)
    if not found:
        return None
    revised = {parent for parents in found.values() for parent in parents}
    heads = sorted(set(found) - revised)
    if len(heads) != 1:
        raise UnreadableRevisions(f"heads: {heads}")
    return heads[0]
