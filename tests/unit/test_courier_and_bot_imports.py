"""The couriers', carriers' and bot's entrypoints, and the back office's shipments, stay thin: they
reach the database only through the services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("courier_api/*.py"), *ROOT.glob("carrier_api/*.py"), *ROOT.glob("bot/*.py"),
                ROOT / "staff_api" / "shipments.py"])


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(ROOT)) for f in FILES])
def test_no_entrypoint_file_imports_the_orm(path):
    assert not [name for name in imported(path) if name.split(".")[0] == "tortoise" or
                name == "storage.models" or name.startswith("storage.models.")]
