"""Text a .docx can hold: Word's XML 1.0 forbids some characters, and no input may break a file.

Used by the template data (context.py, references.py) and by the register's exports.
"""

from __future__ import annotations

import re

# what XML 1.0 does not allow in text (tab, newline and carriage return are allowed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without characters a .docx cannot hold; line ends as ``\\n``."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", value)
