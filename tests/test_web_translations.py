"""The catalogues: French complete, .mo files in step with the .po files, nothing unextracted."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")

pytestmark = pytest.mark.no_db


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def test_it_translates_every_french_message():
    po = _po("fr")
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in locale/fr: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in locale/fr: {fuzzy[:10]}"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n > 1);"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_keeps_every_placeholder(lang):
    for e in _po(lang):
        wanted = set(PLACEHOLDER.findall(e.msgid))
        for msgstr in [e.msgstr, *e.msgstr_plural.values()]:
            if msgstr:
                assert set(PLACEHOLDER.findall(msgstr)) == wanted, e.msgid


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_it_ships_mo_files_in_step_with_po_files(lang):
    po_path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"run `make messages`: {mo_path} is missing"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))

    def table(catalogue) -> dict:
        out = {}
        for e in catalogue.translated_entries():
            out[(e.msgctxt, e.msgid)] = e.msgstr or tuple(sorted(e.msgstr_plural.items()))
        return out

    assert table(mo) == table(po), f"run `make messages`: {mo_path.name} is older than the .po"


def test_it_has_extracted_every_message(tmp_path):
    """makemessages run now finds no message that the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed: cannot re-extract messages")
    tree = tmp_path / "carnet"
    shutil.copytree(
        ROOT / "src" / "carnet", tree, ignore=shutil.ignore_patterns("__pycache__", "locale")
    )
    (tree / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        call_command("makemessages", locale=["fr"], verbosity=0, no_location=True)
    finally:
        os.chdir(cwd)
    fresh = {
        e.msgid for e in polib.pofile(str(tree / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    }
    committed = {e.msgid for e in _po("fr")}
    missing = sorted(fresh - committed)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
