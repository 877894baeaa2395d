"""The KIM configuration (config.toml, forms/, workflows/, exports/ of the repository) instead
of the fixture office: every fixture of tests/conftest.py builds on this ``config_dir``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "kim"
    target.mkdir()
    shutil.copy(ROOT / "config.toml", target / "config.toml")
    for folder in ("forms", "workflows", "exports", "demo"):
        shutil.copytree(ROOT / folder, target / folder)
    return target
