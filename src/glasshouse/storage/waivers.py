"""Waivers asked for on the server: requested by a developer, decided by security.

Every request and decision is an appended event (action ``waiver_*``); the waiver's
``status`` is written together with that event, and the event is appended to the
transparency log in the same transaction (with the waiver's terms and approver).
Approved waivers reach the gate through the API until they expire; an expired one is
simply no longer sent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from glasshouse.gate.policy import DEFAULT_MAX_WAIVER_DAYS
from glasshouse.storage import tlog
from glasshouse.storage.models import Event, Project, WaiverRequest
from glasshouse.storage.notify import notify

FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
MAX_DAYS = max(DEFAULT_MAX_WAIVER_DAYS.values())


class WaiverError(ValueError):
    """A waiver request or decision that cannot be done, in one line."""


def waiver_label(waiver: WaiverRequest) -> str:
    return f"SRV-{waiver.id}"


def _event(
    session: Session, waiver: WaiverRequest, actor: str, action: str, reason: str, at: datetime
) -> None:
    row = {
        "at": at,
        "actor": actor,
        "action": action,
        "project_id": waiver.project_id,
        "waiver_id": waiver.id,
        "reason": reason,
    }
    event = Event(**row)
    session.add(event)
    session.flush()
    tlog.queue_events(  # logged in this transaction, with what was decided
        session,
        "waiver",
        [row],
        [event.id],
        {
            "waiver": {
                "id": waiver_label(waiver),
                "rule": waiver.rule,
                "package": waiver.package,
                "path": waiver.path,
                "fingerprint": waiver.fingerprint,
                "ticket": waiver.ticket,
                "reason": waiver.reason,
                "expires": waiver.expires.isoformat(),
                "status": waiver.status,
                "requested_by": waiver.requested_by,
                "approver": waiver.decided_by,
            }
        },
    )


def request_waiver(
    session: Session,
    project: Project,
    *,
    actor: str,
    reason: str,
    expires: date,
    at: datetime,
    rule: str | None = None,
    package: str | None = None,
    path: str | None = None,
    fingerprint: str | None = None,
    ticket: str | None = None,
) -> WaiverRequest:
    rule = (rule or "").strip() or None
    fingerprint = (fingerprint or "").strip().lower() or None
    if rule is None and fingerprint is None:
        raise WaiverError("a waiver names a rule (or advisory id) or a fingerprint")
    if fingerprint is not None and not FINGERPRINT.match(fingerprint):
        raise WaiverError("a fingerprint is 32 hexadecimal digits")
    if not reason.strip():
        raise WaiverError("a reason is required")
    today = at.date()
    if expires <= today:
        raise WaiverError("the expiry date must be in the future")
    if (expires - today).days > MAX_DAYS:
        raise WaiverError(f"a waiver may run at most {MAX_DAYS} days")
    waiver = WaiverRequest(
        project_id=project.id,
        rule=rule[:200] if rule else None,
        package=(package or "").strip()[:300] or None,
        path=(path or "").strip()[:1000] or None,
        fingerprint=fingerprint,
        reason=reason.strip(),
        ticket=(ticket or "").strip()[:200] or None,
        expires=expires,
        status="requested",
        requested_by=actor,
        requested_at=at,
    )
    session.add(waiver)
    session.flush()
    _event(session, waiver, actor, "waiver_requested", waiver.reason, at)
    notify(
        session,
        "waiver_requested",
        f"{actor} asks to waive {rule or fingerprint} in {project.slug} until "
        f"{expires.isoformat()}: {waiver.reason}",
        {
            "project": project.slug,
            "waiver": waiver.id,
            "rule": rule,
            "expires": expires.isoformat(),
        },
        now=at,
    )
    return waiver


def decide(
    session: Session,
    waiver: WaiverRequest,
    *,
    approve: bool,
    actor: str,
    reason: str,
    at: datetime,
    project: Project,
) -> None:
    if waiver.status != "requested":
        raise WaiverError(f"waiver {waiver_label(waiver)} is already {waiver.status}")
    if approve and waiver.expires <= at.date():
        raise WaiverError(f"waiver {waiver_label(waiver)} expired before it was approved")
    if not approve and not reason.strip():
        raise WaiverError("a rejection needs a reason")
    if actor == waiver.requested_by:
        raise WaiverError("a waiver cannot be decided by the person who asked for it")
    waiver.status = "approved" if approve else "rejected"
    waiver.decided_by = actor
    waiver.decided_at = at
    waiver.decision_reason = reason.strip() or None
    action = "waiver_approved" if approve else "waiver_rejected"
    _event(session, waiver, actor, action, reason.strip() or "approved", at)
    notify(
        session,
        action,
        f"{actor} {'approved' if approve else 'rejected'} waiver {waiver_label(waiver)} "
        f"({waiver.rule or waiver.fingerprint}) in {project.slug}"
        + (f": {reason.strip()}" if reason.strip() else ""),
        {"project": project.slug, "waiver": waiver.id, "rule": waiver.rule},
        now=at,
    )


def active_waivers(session: Session, project_id: int, today: date) -> list[WaiverRequest]:
    return list(
        session.scalars(
            select(WaiverRequest)
            .where(
                WaiverRequest.project_id == project_id,
                WaiverRequest.status == "approved",
                WaiverRequest.expires >= today,
            )
            .order_by(WaiverRequest.id)
        )
    )


def expiring(session: Session, today: date, days: int = 7) -> list[WaiverRequest]:
    return list(
        session.scalars(
            select(WaiverRequest)
            .where(
                WaiverRequest.status == "approved",
                WaiverRequest.expires >= today,
                WaiverRequest.expires <= today + timedelta(days=days),
            )
            .order_by(WaiverRequest.expires)
        )
    )


def as_policy_waiver(waiver: WaiverRequest) -> dict[str, object]:
    """The waiver as the gate API sends it (the keys of a ``[[waiver]]`` table)."""
    return {
        "id": waiver_label(waiver),
        "rule": waiver.rule,
        "package": waiver.package,
        "path": waiver.path,
        "fingerprint": waiver.fingerprint,
        "reason": waiver.reason,
        "owner": waiver.requested_by,
        "approver": waiver.decided_by,
        "ticket": waiver.ticket,
        "created": waiver.requested_at.date().isoformat(),
        "expires": waiver.expires.isoformat(),
    }
