"""The server's settings, passed explicitly from the command line to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from glasshouse.storage.accounts import RateLimit

if TYPE_CHECKING:
    from glasshouse.evidence.keys import SigningKey


@dataclass(frozen=True)
class ServerSettings:
    database_url: str
    max_upload_bytes: int = 32 * 1024 * 1024  # the report, as sent (compressed or not)
    max_report_bytes: int = 256 * 1024 * 1024  # the report once decompressed
    rate_limit: RateLimit = field(default_factory=RateLimit)
    worker: bool = True  # run the job queue in this process
    worker_poll_seconds: float = 2.0
    webhook_timeout_seconds: float = 10.0
    sweep_minutes: int = 60  # expiry sweeps, at most one per period across every process
    expiring_days: int = 7
    log_origin: str | None = None  # the transparency log's name; fixed on first start
    log_key: SigningKey | None = None  # from --log-key-file; None: the key in the database
