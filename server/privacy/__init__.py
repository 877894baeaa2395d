"""Data protection for social data (SGB X, DSGVO): read audit, consent, retention and
anonymisation, subject access, statistics without people, and the roles that may use them.

Nothing here is needed to *run* a workflow; it guards and limits what the rest does. The rules
(consent, retention, …) sit beside the services; the web screens live in
:mod:`server.privacy.views`, registered with the read audit by
:func:`server.privacy.screens.init_privacy`. This package's ``__init__`` imports nothing, so
the services can use the rules without pulling in the screens.
"""
