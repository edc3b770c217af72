"""Shared helpers for import tests: write a file, take it through mapping and a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thrive.imports import services
from thrive.imports.models import ImportJob


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_bytes(text.encode(encoding))
    else:
        path.write_bytes(text)
    return path


def upload(path: Path, kind: str, actor: Any, **kwargs: Any) -> ImportJob:
    with path.open("rb") as handle:
        return services.start_job(
            path.name, iter(lambda: handle.read(65536), b""), kind=kind, actor=actor, **kwargs
        )


def dry_run(job: ImportJob, actor: Any) -> ImportJob:
    services.request_run(job, actor=actor, dry_run=True)
    return services.run_job(job.pk, dry_run=True)


def import_now(job: ImportJob, actor: Any) -> ImportJob:
    services.request_run(job, actor=actor, dry_run=False)
    return services.run_job(job.pk, dry_run=False)


def full_import(
    path: Path, kind: str, actor: Any, mapping: dict[str, str] | None = None, **kwargs: Any
) -> ImportJob:
    job = upload(path, kind, actor)
    if mapping is not None or kwargs:
        services.set_mapping(
            job, mapping if mapping is not None else job.mapping, actor=actor, **kwargs
        )
    dry_run(job, actor)
    return import_now(job, actor)


def without_cpu(counts: dict[str, Any]) -> dict[str, Any]:
    """Counts without the run's CPU time, which differs between any two runs."""
    return {k: v for k, v in counts.items() if k != "cpu"}
