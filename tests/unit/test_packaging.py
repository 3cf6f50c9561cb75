"""The wheel (and so the Docker image) carries every package of the source tree."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
TOP = ("bot", "miniapp_api", "onething", "storage")


def test_every_package_in_the_tree_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    in_tree = {".".join(init.parent.relative_to(ROOT).parts)
               for top in TOP for init in (ROOT / top).rglob("__init__.py")}
    mapped = set(config.get("package-dir", {}))  # templates/ ships as onething.templates
    assert set(config["packages"]) == in_tree | mapped
