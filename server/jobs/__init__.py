"""Scheduled upkeep: the jobs, and running each of them once across app processes."""

from server.jobs.scheduler import start_scheduler

__all__ = ["start_scheduler"]
