"""Data protection for social data (SGB X, DSGVO): consent, retention and anonymisation,
subject access, statistics without people, the audit purge and pseudonyms.

Nothing here is needed to *run* a workflow; it guards and limits what the rest does. Their
screens and the read audit of web requests are in :mod:`server.web.privacy`, their API routes
in :mod:`server.api.consent_routes`, their periodic job in :mod:`server.jobs.privacy`.
"""
