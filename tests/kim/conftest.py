"""The KIM configuration (config.toml, forms/, workflows/, exports/ of the repository) instead
of the fixture office: every fixture of tests/conftest.py builds on this ``config_dir``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kim_site import copy_kim


@pytest.fixture
def config_dir(tmp_path) -> Path:
    return copy_kim(tmp_path / "kim")
