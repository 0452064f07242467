"""Verifiable evidence: signed gate decisions, a transparency log, audit evidence packs.

Everything here follows public standards and uses ``cryptography`` for Ed25519; no
cryptographic construction is home-made:

- ``dsse``: the DSSE envelope (PAE, sign, verify) around an in-toto Statement.
- ``attestation``: the gate decision as an in-toto Statement v1 with the SLSA
  Verification Summary predicate and Glasshouse's detail as an extension field.
- ``merkle``: RFC 6962 / RFC 9162 section 2.1 tree hashing and proofs.
- ``note`` and ``checkpoint``: C2SP signed notes and tlog checkpoints.
- ``log`` and ``sqlite_store``: an append-only transparency log over a storage interface.
- ``receipt``: what an upload answers (the logged entry, its proof, a checkpoint).
- ``verify``: offline verification with a named reason for each failure.
- ``pack``: audit evidence packs mapped to ISO/IEC 27001, SOC 2 and PCI DSS controls.

This package prints nothing and never exits: the CLI does.

For the server (what it calls, in order):

1. On upload of a decision: ``dsse.from_json(body)``, then ``dsse.verify(envelope,
   project_key)`` with the key registered for the project, then
   ``attestation.parse_statement(verified.payload)`` to read the commit, result and
   detail it stores. Refuse what fails, with the exception's message.
2. ``TransparencyLog(storage, log_key, origin).append_decision(envelope)``: it
   counter-signs, appends, signs a checkpoint and returns the ``Receipt`` to answer
   (``receipt.to_json()``). Triage and waiver events: ``append_event("triage" |
   "waiver", event_dict)`` (JSON values without floats). Appends must be serialized:
   the storage's ``append`` is compare-and-append and raises ``LogConflict`` when
   another writer went first (retry), which a unique key on the entry index gives.
3. ``storage`` implements ``log.LogStorage`` (entries by index, nodes by (level,
   index), checkpoints by size): ``sqlite_store.SQLiteStorage`` is the reference; the
   server's is ``glasshouse.storage.tlog.SQLLogStorage`` (migration 0003).
4. Published endpoints map to: ``latest_checkpoint()`` (the signed note, text/plain),
   ``receipt(index)`` or ``inclusion_proof(index, size)``, ``consistency_proof(old,
   new).to_json()``, ``entry(index)``; the log's verifier key for clients is
   ``note.NoteSigner(origin, log_key).verifier.vkey()``.
5. Evidence packs: ``pack.record_from_document(stored_json, name, key=..., log=...)``
   for each stored receipt (or envelope), ``pack.select(records, start, end, ...)``,
   then ``pack.build(collection, framework, out_zip, tool_version=...)``.
6. Periodically ``audit(trusted=[checkpoints clients reported])``: an empty
   ``problems`` list, or the entry or checkpoint that broke.
"""
