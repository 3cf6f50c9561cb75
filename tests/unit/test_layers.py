"""Who may import whom: the layering the README describes, checked on the source itself.

An entrypoint parses, authorises, calls one service and renders; the queries and transactions
are the services'. A role's package never reaches into another role's, and the shared web
plumbing knows no role. The domain is the glossary's rules in the standard library alone.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINTS = ("bot", "miniapp_api", "staff_api", "staff_console", "courier_api", "carrier_api")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def _offenders(files: list[Path], forbidden) -> list[str]:
    return sorted(f"{path.relative_to(ROOT)} imports {name}" for path in files for name in _imports(path)
                  if forbidden(path, name))


def _under(name: str, *tops: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in tops)


def test_no_entrypoint_reaches_the_database_itself():
    assert _offenders(_files(*ENTRYPOINTS), lambda _, name: _under(name, "tortoise", "storage.models")) == []


@pytest.mark.parametrize("package", ENTRYPOINTS)
def test_no_entrypoint_package_imports_another(package):
    others = [p for p in ENTRYPOINTS if p != package]
    assert _offenders(_files(package), lambda _, name: _under(name, *others)) == []


def test_the_shared_web_plumbing_and_the_services_know_no_entrypoint():
    files = _files("onething/web", "onething/services", "onething/domain", "storage")
    assert _offenders(files, lambda _, name: _under(name, *ENTRYPOINTS)) == []


def test_services_do_not_import_the_web_layer():
    assert _offenders(_files("onething/services"), lambda _, name: _under(name, "onething.web", "aiohttp.web")) == []


def test_the_domain_imports_only_the_standard_library_and_itself():
    def foreign(_, name: str) -> bool:
        return not (name.split(".")[0] in sys.stdlib_module_names or _under(name, "onething.domain"))
    assert _offenders(_files("onething/domain"), foreign) == []
