"""Queries on job runs (the scheduler's own record of what ran, when and how it ended)."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from store.models import JobRun


def start_job_run(session: Session, job: str, now: datetime) -> JobRun:
    row = JobRun(job=job, started_at=now, outcome="running", runner=f"{socket.gethostname()}:{os.getpid()}")
    session.add(row)
    session.flush()
    return row


def finish_job_run(session: Session, run_id: int, outcome: str, message: str, now: datetime) -> None:
    row = session.get(JobRun, run_id)
    if row is not None:
        row.outcome, row.message, row.finished_at = outcome, message[:4000], now
        session.add(row)


def last_job_runs(session: Session) -> dict[str, JobRun]:
    """The most recent run of each job."""
    newest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    return {row.job: row for row in session.exec(select(JobRun).join(newest, JobRun.id == newest.c.id))}


def job_runs(session: Session, job: str | None = None, limit: int = 100) -> list[JobRun]:
    query = select(JobRun).order_by(col(JobRun.id).desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    return list(session.exec(query))


def prune_job_runs(session: Session, before: datetime) -> int:
    result = session.exec(delete(JobRun).where(col(JobRun.started_at) < before))
    return result.rowcount or 0
