"""The fixture office with everything the form engine offers added to its copy.

Tests here get ``tests/fixtures/foerderung`` plus: file and reference fields on the
application form, a directory of umbrella associations (``verband``) to refer to, and a
workflow whose form has every field type (``pruefung`` / ``alles``). The shared fixture
directory stays as it is, so other tests keep counting on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser_support import chromium, new_page  # noqa: F401 - fixtures of test_browser.py
from tests.forms.node_runner import node  # noqa: F401 - the agreement tests' browser side

EXTRA = Path(__file__).parent / "fixture_extra"

ANTRAG_FIELDS = """

[[fields]]
name = "satzung"
type = "file"
label = "Satzung"
accept = ["pdf", "txt"]
max_bytes = 2000
section = "Anlagen"

[[fields]]
name = "dachverband"
type = "reference"
label = "Dachverband"
workflow = "verband"

[[fields]]
name = "partner"
type = "table"
label = "Partnervereine"

[[fields.columns]]
name = "verein"
type = "reference"
label = "Verein"
workflow = "verband"

[[fields.columns]]
name = "rolle"
type = "text"
label = "Rolle"
"""


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "foerderung", target)
    for sub in ("forms", "workflows"):
        for file in (EXTRA / sub).glob("*.toml"):
            shutil.copy(file, target / sub / file.name)
    with open(target / "forms" / "antrag.toml", "a", encoding="utf-8") as fh:
        fh.write(ANTRAG_FIELDS)
    with open(target / "config.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[uploads]\nmax_bytes = 5000\n")
    return target
