"""Search runs against the counselling fixture (tests/fixtures/beratung): names are personal
data there, the roles read their own cases, their organisation's, or all."""

from __future__ import annotations

from tests.privacy.conftest import CASE, config_dir, new_case, office  # noqa: F401

__all__ = ["CASE", "new_case"]
