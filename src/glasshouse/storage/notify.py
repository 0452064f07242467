"""Notifications: one webhook delivery job per subscribed webhook, in the same transaction
as the change that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from glasshouse.storage import jobs
from glasshouse.storage.models import Webhook

EVENTS = (
    "gate_failed",
    "critical_finding",
    "waiver_requested",
    "waiver_approved",
    "waiver_rejected",
    "waiver_expiring",
)
DELIVER = "webhook"


def subscribed(webhook: Webhook, event: str) -> bool:
    names = {e.strip() for e in webhook.events.split(",")}
    return "*" in names or event in names


def notify(
    session: Session,
    event: str,
    text: str,
    data: dict[str, Any],
    *,
    now: datetime,
    dedupe: str | None = None,
) -> int:
    """Queue ``event`` for every active webhook that wants it; returns how many."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification {event!r}")
    queued = 0
    for webhook in session.scalars(select(Webhook).where(Webhook.active.is_(True))):
        if not subscribed(webhook, event):
            continue
        payload = {"webhook_id": webhook.id, "event": event, "text": text, "data": data}
        key = f"{event}:{dedupe}:{webhook.id}" if dedupe else None
        if jobs.enqueue(session, DELIVER, payload, now=now, dedupe_key=key):
            queued += 1
    return queued
