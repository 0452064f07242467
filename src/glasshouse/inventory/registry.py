"""Every lockfile format Glasshouse reads, in one table. A test checks that each parser
module under ``inventory/`` is listed here."""

from __future__ import annotations

from glasshouse.inventory import (
    bunlock,
    cargolock,
    composerlock,
    cyclonedx,
    gemfilelock,
    gomod,
    gradlelockfile,
    packagelockjson,
    packagesconfig,
    packageslockjson,
    pdmlock,
    pipfilelock,
    pnpmlock,
    poetrylock,
    pomxml,
    pylock,
    requirements,
    spdx,
    uvlock,
    yarnlock,
)
from glasshouse.inventory.base import Extractor

EXTRACTORS: tuple[Extractor, ...] = (
    # Python
    requirements.EXTRACTOR,
    poetrylock.EXTRACTOR,
    pipfilelock.EXTRACTOR,
    uvlock.EXTRACTOR,
    pdmlock.EXTRACTOR,
    pylock.EXTRACTOR,
    # JavaScript
    packagelockjson.EXTRACTOR,
    yarnlock.EXTRACTOR,
    pnpmlock.EXTRACTOR,
    bunlock.EXTRACTOR,
    # Go, Rust, Ruby, PHP
    gomod.EXTRACTOR,
    cargolock.EXTRACTOR,
    gemfilelock.EXTRACTOR,
    composerlock.EXTRACTOR,
    # .NET, Java
    packageslockjson.EXTRACTOR,
    packagesconfig.EXTRACTOR,
    pomxml.EXTRACTOR,
    gradlelockfile.EXTRACTOR,
    # SBOMs
    cyclonedx.EXTRACTOR,
    spdx.EXTRACTOR,
)

BY_NAME: dict[str, Extractor] = {extractor.name: extractor for extractor in EXTRACTORS}
