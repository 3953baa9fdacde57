"""environment.yml (conda users) must list exactly what pyproject.toml asks of pip."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES: dict[str, str] = {"dask": "dask-core", "duckdb": "python-duckdb"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match[1].lower().replace("_", "-"), match[2].replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    return dict(_split(r) for r in wanted)


def _conda_requirements() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
            continue
        name, spec = _split(dep.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=]", dep) else dep)
        conda[name] = spec
    return conda, pip


def test_environment_lists_every_pyproject_requirement_with_the_same_bounds():
    conda, _ = _conda_requirements()
    expected = {CONDA_NAMES.get(name, name): spec for name, spec in _pyproject_requirements().items()}
    listed = {name: spec for name, spec in conda.items() if name not in ("python", "pip")}
    assert listed == expected


def test_environment_installs_planlib_itself_and_pins_python_311():
    conda, pip = _conda_requirements()
    assert pip == ["-e ."]
    assert conda["python"] == "==3.11"


def test_readme_states_the_supported_pythons_and_the_conda_route():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f'requires-python = "{requires}"' in readme
    assert "conda env create -f environment.yml" in readme
