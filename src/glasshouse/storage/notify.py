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


class WebhookError(ValueError):
    """A webhook that cannot be added, in one line."""


def add_webhook(
    session: Session, url: str, events: str, secret: str, *, at: datetime, actor: str
) -> Webhook:
    """A webhook for the named events (comma-separated, or *), signed with ``secret``."""
    from glasshouse.storage.accounts import log

    url = url.strip()
    if len(secret) < 16:
        raise WebhookError("the shared secret must have 16 characters or more")
    if (
        not url.startswith(("https://", "http://"))
        or len(url) > 1000
        or any(c.isspace() for c in url)
    ):
        raise WebhookError(f"{url}: not an http(s) URL")
    wanted = [e.strip() for e in events.split(",") if e.strip()]
    unknown = [e for e in wanted if e != "*" and e not in EVENTS]
    if unknown or not wanted:
        raise WebhookError(
            f"unknown event(s) {', '.join(unknown) or events!r}; known: {', '.join(EVENTS)}"
        )
    hook = Webhook(url=url, secret=secret, events=",".join(wanted), active=True, created_at=at)
    session.add(hook)
    session.flush()
    log(session, actor, "webhook_added", f"{hook.id}: {url} ({','.join(wanted)})", at=at)
    return hook


def set_webhook_active(
    session: Session, hook: Webhook, active: bool, *, at: datetime, actor: str
) -> None:
    from glasshouse.storage.accounts import log

    if hook.active != active:
        hook.active = active
        what = "webhook_enabled" if active else "webhook_disabled"
        log(session, actor, what, f"{hook.id}: {hook.url}", at=at)


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
