"""The worker heartbeat: the last moment a django-q2 worker took a task off the queue."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    # One row per django-q2 cluster name. A table rather than the cache: the database cache culls entries once it is
    # full (the sign-in lockout counts live there) and Redis may evict, and a lost beat would read as a stalled worker.
    cluster = models.CharField(max_length=100, primary_key=True)
    beat_at = models.DateTimeField()
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="The worker process that beat last.")

    def __str__(self) -> str:
        return f"{self.cluster} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
