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
"""
