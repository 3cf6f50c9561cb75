"""The wheel (and so the Docker image) carries every package and data file of the source tree.

setup.py discovers the packages and pyproject.toml names the data they ship; these tests keep
both whole without building anything. ``.ci/wheel-check`` proves it on the built wheel.
"""

import runpy
import tomllib
from pathlib import Path

import setuptools

ROOT = Path(__file__).parent.parent.parent
TOP = ("bot", "carrier_api", "courier_api", "miniapp_api", "onething", "staff_api", "staff_console", "storage")
TEMPLATES = "onething.templates"  # templates/ installs under this name


def _setup_arguments(monkeypatch) -> dict:
    captured = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
    monkeypatch.chdir(ROOT)  # setuptools runs setup.py from the project root
    runpy.run_path(str(ROOT / "setup.py"))
    return captured


def _source_folders(monkeypatch) -> dict[str, Path]:
    """Each package of the wheel and the folder of the tree it is built from."""
    arguments = _setup_arguments(monkeypatch)
    renamed = arguments["package_dir"]
    return {name: ROOT / renamed.get(name, name.replace(".", "/")) for name in arguments["packages"]}


def _tree_packages() -> set[str]:
    return {".".join(init.parent.relative_to(ROOT).parts) for top in TOP for init in (ROOT / top).rglob("__init__.py")}


def test_packages_are_discovered_not_listed(monkeypatch):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "packages" not in config  # a hand list left storage.wechat out of the wheel once
    arguments = _setup_arguments(monkeypatch)
    assert sorted(arguments["packages"]) == sorted(_tree_packages() | {TEMPLATES})
    assert arguments["package_dir"] == {TEMPLATES: "templates"}


def test_every_folder_of_python_code_is_a_package():
    # discovery only sees folders with an __init__.py: one without would be left out silently
    folders = {path.parent for top in TOP for path in (ROOT / top).rglob("*.py") if "__pycache__" not in path.parts}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()) == []


def test_every_file_that_is_not_python_is_package_data(monkeypatch):
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    folders = _source_folders(monkeypatch)
    shipped = {path for name, globs in patterns.items() for glob in globs for path in folders[name].glob(glob)}
    data = {path for folder in {*folders.values()} for path in folder.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}
    assert data, "no data files found: the tree moved?"
    assert sorted(str(p.relative_to(ROOT)) for p in data - shipped) == []
