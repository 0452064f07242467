"""The transparency log's published endpoints, and evidence packs (bearer tokens).

Who reads what (``Principal.can_read_log_entry``): every token may read the signed
checkpoint, the log's public key and consistency proofs (hashes and sizes only, what
a client needs to check that the log only grows); an entry and its inclusion proof go
to admin, security and auditors, and to the CI token and developers of the entry's
project. Evidence packs: admin, security and auditors.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select

from glasshouse import __version__
from glasshouse.evidence.log import LogError
from glasshouse.evidence.pack import FRAMEWORKS, PackError
from glasshouse.evidence.receipt import encode_hashes
from glasshouse.server.auth import Principal, api_principal, database
from glasshouse.storage import evidence_pack, tlog
from glasshouse.storage.models import LogEntryRow

router = APIRouter(prefix="/api/v1")
Auth = Annotated[Principal, Depends(api_principal)]


def _entry_project(session: Any, index: int) -> tuple[bool, int | None]:
    row = session.execute(select(LogEntryRow.project_id).where(LogEntryRow.idx == index)).first()
    return (row is not None, None if row is None else row[0])


def _visible_index(session: Any, principal: Principal, index: int, size: int) -> None:
    exists, project_id = _entry_project(session, index)
    if not 0 <= index < size or not exists or not principal.can_read_log_entry(project_id):
        raise HTTPException(404, f"no log entry {index}")


@router.get("/log/checkpoint", response_class=PlainTextResponse)
def log_checkpoint(request: Request, principal: Auth) -> PlainTextResponse:
    """The latest signed checkpoint (a C2SP signed note: origin, size, root hash)."""
    with database(request).read() as session:
        note = tlog.open_log(session).latest_checkpoint()
    return PlainTextResponse(note, media_type="text/plain; charset=utf-8")


@router.get("/log/key")
def log_key(request: Request, principal: Auth) -> dict[str, Any]:
    """The log's origin and public key (also printed by `glasshouse server log-key`)."""
    with database(request).read() as session:
        ident = tlog.identity(session)
    return {"origin": ident.origin, "vkey": ident.vkey(), "public_key": ident.public_pem()}


@router.get("/log/entries/{index}")
def log_entry(index: int, request: Request, principal: Auth) -> dict[str, Any]:
    """One entry and its receipt against the latest checkpoint."""
    with database(request).read() as session:
        log = tlog.open_log(session)
        _visible_index(session, principal, index, log.size)
        try:
            receipt = log.receipt(index)
        except LogError as exc:
            raise HTTPException(500, str(exc)) from None
    return {"index": index, "entry": receipt.entry.to_dict(), "receipt": receipt.to_dict()}


@router.get("/log/proof/inclusion")
def inclusion_proof(
    request: Request,
    principal: Auth,
    index: Annotated[int, Query(ge=0)],
    size: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """The audit path of entry ``index`` in the tree of ``size`` (default: the latest),
    and the stored checkpoint of that size."""
    with database(request).read() as session:
        log = tlog.open_log(session)
        current = log.size
        size = current if size is None else size
        if size > current:
            raise HTTPException(400, f"no tree of size {size}: the log has {current} entries")
        _visible_index(session, principal, index, size)
        try:
            proof = log.inclusion_proof(index, size)
        except LogError as exc:
            raise HTTPException(400, str(exc)) from None
        leaf = log.entry(index).leaf_hash
        checkpoint = log.latest_checkpoint() if size == current else log.checkpoint_at(size)
    return {
        "index": index,
        "size": size,
        "leaf_hash": encode_hashes([leaf])[0],
        "proof": encode_hashes(proof),
        "checkpoint": checkpoint,
    }


@router.get("/log/proof/consistency")
def consistency_proof(
    request: Request,
    principal: Auth,
    old: Annotated[int, Query(alias="from", ge=0)],
    new: Annotated[int | None, Query(alias="to", ge=0)] = None,
) -> dict[str, Any]:
    """That the tree of size ``to`` (default: the latest) extends the tree of size
    ``from``: the proof file `glasshouse verify --consistency-proof` reads, and the
    stored checkpoints of both sizes."""
    with database(request).read() as session:
        log = tlog.open_log(session)
        current = log.size
        new = current if new is None else new
        try:
            proof = log.consistency_proof(old, new)
        except LogError as exc:
            raise HTTPException(400, str(exc)) from None
        newer = log.latest_checkpoint() if new == current else log.checkpoint_at(new)
        older = log.checkpoint_at(old)
    return {**proof.to_dict(), "old_checkpoint": older, "new_checkpoint": newer}


def parse_period(start: str, end: str, framework: str) -> tuple[date, date]:
    if framework not in FRAMEWORKS:
        raise HTTPException(422, f"framework must be one of {', '.join(FRAMEWORKS)}")
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise HTTPException(422, "from and to are dates such as 2026-01-31") from None
    if last < first:
        raise HTTPException(422, f"the period ends ({last}) before it starts ({first})")
    return first, last


def pack_response(request: Request, first: date, last: date, framework: str) -> Response:
    """Build the pack in a temporary file and send it as an attachment."""
    with tempfile.TemporaryDirectory(prefix="glasshouse-pack-") as tmp:
        out = Path(tmp) / "pack.zip"
        with database(request).read() as session:
            try:
                evidence_pack.build(session, first, last, framework, out, tool_version=__version__)
            except PackError as exc:
                raise HTTPException(422, str(exc)) from None
        data = out.read_bytes()
    name = f"glasshouse-evidence-{framework}-{first}-{last}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/evidence/pack")
def evidence_pack_api(
    request: Request,
    principal: Auth,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    framework: str,
) -> Response:
    """The evidence pack (zip) of the period, for auditors, security and admins."""
    if not principal.can_export_evidence:
        raise HTTPException(403, "evidence packs are for auditors, security and admins")
    first, last = parse_period(start, end, framework)
    return pack_response(request, first, last, framework)
