"""Reading the configuration editor's page in tests."""

from __future__ import annotations

import re
from html import unescape


def editor_text(html: str) -> str:
    """The TOML in the editor's textarea (the first newline belongs to the markup)."""
    raw = re.search(r'<textarea name="toml"[^>]*>\n(.*?)</textarea>', html, re.S).group(1)
    return unescape(raw)
