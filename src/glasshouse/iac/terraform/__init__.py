"""Terraform configuration, read without Terraform: HCL and JSON files with their lines,
expressions evaluated by a small safe evaluator, built-in functions, and local modules.

- ``syntax``: HCL expressions and string templates into a tree (``Expr``), never ``eval``.
- ``jsonlines``: JSON with the line of every value (``.tf.json``, ``.tfvars.json``).
- ``hcl``: the fast reader of HCL files' structure (bodies, attributes, blocks); what it
  does not handle raises, and ``config`` falls back to python-hcl2.
- ``config``: one file into blocks and attributes with lines (``hcl``, else
  python-hcl2; or JSON).
- ``functions``: Terraform's built-in functions over known values.
- ``evaluate``: expressions into values; what cannot be known is ``UNKNOWN``.
- ``modules``: a module instance into resources (count, for_each, dynamic blocks,
  local module calls).
- ``policy``: IAM policy documents into statements.

The adapter (``glasshouse.iac.adapters.terraform``) ties them to the engine.
"""
