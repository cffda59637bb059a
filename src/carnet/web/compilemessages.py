"""Compile every gettext catalogue (locale/*/LC_MESSAGES/django.po) to its .mo with polib.

Run ``python -m carnet.web.compilemessages`` (``make messages``). The .mo files are
committed, so a fresh machine needs neither gettext nor this script to show translations.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PROJECT_DIR = Path(__file__).resolve().parents[3]
CATALOGUES = [PROJECT_DIR / "locale", PROJECT_DIR / "src" / "carnet" / "locale"]


def catalogues(roots: list[Path] | None = None) -> list[Path]:
    found: list[Path] = []
    for root in roots or CATALOGUES:
        found.extend(sorted(root.glob("*/LC_MESSAGES/django.po")))
    return found


def compile_po(po_path: Path) -> Path:
    """Write the .mo beside the .po; fuzzy entries are left out, as msgfmt does."""
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    po.save_as_mofile(str(mo_path))
    return mo_path


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    found = [p for p in paths if p.suffix == ".po"] or catalogues()
    if not found:
        print("No catalogue found under locale/.", file=sys.stderr)
        return 1
    for po_path in found:
        mo_path = compile_po(po_path)
        print(f"{po_path} -> {mo_path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
