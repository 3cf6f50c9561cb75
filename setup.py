"""Packages are discovered, never listed: a new subpackage cannot be left out of the wheel.

Everything else is in pyproject.toml. ``templates/`` sits at the top of the tree (it is what
people edit) but installs as ``onething.templates``; pyproject's ``packages.find`` can only
name a package after its folder, hence this file.
"""

from setuptools import find_packages, setup

TOP = ["onething", "bot", "miniapp_api", "staff_api", "staff_console", "courier_api", "carrier_api", "storage"]

setup(
    packages=find_packages(include=[name for top in TOP for name in (top, f"{top}.*")]) + ["onething.templates"],
    package_dir={"onething.templates": "templates"},
)
