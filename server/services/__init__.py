"""Operations shared by the screens, the API, the CLI and the jobs — the only door to the data.

Grouped by domain: :mod:`.records`, :mod:`.accounts`, :mod:`.configuration`, :mod:`.register`,
:mod:`.documents` and :mod:`.privacy`; :mod:`.audit`, :mod:`.audit_spool` and :mod:`.errors`
serve them all. Nothing here imports Flask; callers pass the definitions and the acting user.
"""
