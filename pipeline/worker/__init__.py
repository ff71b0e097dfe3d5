"""The arq worker: settings, context and the job functions every feature registers."""

from pipeline.worker.settings import (
    QUEUE_NAME,
    WorkerDeps,
    create_queue,
    deserialize_job,
    serialize_job,
    worker_settings,
)

__all__ = [
    "QUEUE_NAME",
    "WorkerDeps",
    "create_queue",
    "deserialize_job",
    "serialize_job",
    "worker_settings",
]
