"""The catalogues: every language of settings.LANGUAGES complete, placeholders kept, the right
plural forms, .mo files in step with the .po files, nothing unextracted.

Messages are written in English in the code; the English catalogue repeats each one as its own
translation (addpo writes it so), so that every catalogue, English included, translates every
message, with no fuzzy entry.
"""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "pt": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=11 ? 4 : 5);"
    ),
}

pytestmark = pytest.mark.no_db


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def test_it_knows_the_plural_forms_of_every_language():
    assert set(PLURAL_FORMS) == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_translates_every_message(lang):
    po = _po(lang)
    live = [e for e in po if not e.obsolete]
    fuzzy = [e.msgid for e in live if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy in locale/{lang}: {fuzzy[:10]}"
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]
    untranslated = [e.msgid for e in live if not e.translated()]
    assert not untranslated, (
        f"{len(untranslated)} untranslated in locale/{lang}: {untranslated[:10]}"
    )
    nplurals = int(PLURAL_FORMS[lang].split("nplurals=")[1].split(";")[0])
    for e in live:
        if e.msgid_plural and any(e.msgstr_plural.values()):
            assert len(e.msgstr_plural) == nplurals, f"{lang}: {e.msgid}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_holds_every_message(lang):
    """Each catalogue has the messages of the French one, no more, no fewer."""
    french = {(e.msgctxt, e.msgid) for e in _po("fr") if not e.obsolete}
    here = {(e.msgctxt, e.msgid) for e in _po(lang) if not e.obsolete}
    assert not french - here, f"missing from locale/{lang}: {sorted(french - here)[:10]}"
    assert not here - french, f"only in locale/{lang}: {sorted(here - french)[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_keeps_every_placeholder(lang):
    for e in _po(lang):
        wanted = set(PLACEHOLDER.findall(e.msgid))
        if not e.msgid_plural:
            if e.msgstr:
                assert set(PLACEHOLDER.findall(e.msgstr)) == wanted, e.msgid
            continue
        # A plural form may leave out the number where the language says it in words
        # (Arabic « مرة واحدة », « مرتين »): named placeholders tolerate it. It never brings
        # one the English lacks, and the last (general) form keeps every one of the plural's.
        wanted |= set(PLACEHOLDER.findall(e.msgid_plural))
        forms = [e.msgstr_plural[k] for k in sorted(e.msgstr_plural) if e.msgstr_plural[k]]
        for msgstr in forms:
            assert set(PLACEHOLDER.findall(msgstr)) <= wanted, e.msgid
        if forms:
            general = set(PLACEHOLDER.findall(forms[-1]))
            assert set(PLACEHOLDER.findall(e.msgid_plural)) <= general, e.msgid


@pytest.mark.parametrize("lang", LANGUAGES)
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
