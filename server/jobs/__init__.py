"""Background jobs (RQ): queues, the Redis connection and the job functions."""
