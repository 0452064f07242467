"""The infrastructure scanner: the walked tree handed to the IaC engine."""

from __future__ import annotations

from glasshouse.iac import engine
from glasshouse.scanners.base import ScanContext, ScannerResult
from glasshouse.walk import WalkedFile, read_file

SCANNER = engine.SCANNER


class IacScanner:
    name = SCANNER

    def wants(self, basename: str, relpath: str) -> bool:
        return engine.wants(basename, relpath)

    def run(self, files: list[WalkedFile], context: ScanContext) -> ScannerResult:
        by_path = {file.relpath: file for file in files}
        evaluation = engine.evaluate(
            by_path,
            lambda relpath: read_file(by_path[relpath].path),
            root=context.root,
            progress=lambda done, total: context.report("checking infrastructure", done, total),
        )
        result = ScannerResult()
        result.findings = evaluation.findings
        result.problems = evaluation.problems
        result.files = evaluation.scanned
        return result
