"""The Redis connection and the queue document jobs go on (RQ), below the services.

The services put a document request on the queue by its id and the job's name
(``server.jobs.documents.render_document_job``), without importing any job code; the
workers, the sweep and the periodic jobs in :mod:`server.jobs` take it from there.
"""
