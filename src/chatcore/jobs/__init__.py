"""Background jobs: a durable queue in the database that any process works.

This package exports the context's types: its model and its ports; its use case,
the worker, is ``chatcore.jobs.use_cases.JobWorker``."""

from chatcore.jobs.model import Job, JobId, JobPolicy
from chatcore.jobs.ports import JobHandler, JobQueue, JobSignal

__all__ = ["Job", "JobHandler", "JobId", "JobPolicy", "JobQueue", "JobSignal"]
