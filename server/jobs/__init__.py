"""Background jobs (RQ): the job functions, the sweep, the periodic jobs and the worker.

The Redis connection and the queue itself are below the services, in :mod:`server.queue`.
"""
