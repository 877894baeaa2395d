"""/barrierefreiheit: the accessibility statement (BITV 2.0 § 7), open to everybody.

Public bodies must publish how far a site meets BITV 2.0 / WCAG 2.1 AA, what is known not to,
and whom to tell about barriers. The feedback contact and the date of the last review come
from ``[accessibility]`` in config.toml (docs/configuration.md); the footer of every page
links here.
"""

from __future__ import annotations

from flask_admin import BaseView, expose

from .base import runtime


class AccessibilityView(BaseView):
    """The statement; no login needed, not in the menu (the footer links to it)."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        section = runtime().settings.section("accessibility")
        return self.render(
            "verbund/accessibility.html",
            contact=section.get("contact", ""),
            reviewed=section.get("reviewed", ""),
            enforcement=section.get("enforcement", ""),
        )
