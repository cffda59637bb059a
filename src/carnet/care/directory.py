"""The practitioner directory: import of the public Annuaire Santé data, and search.

Two sources feed one table of listings (``DirectoryEntry``):

* the public extract ``PS_LibreAcces_Personne_activite`` (pipe-separated, 52 columns,
  header line, trailing ``|``, UTF-8; one row per practitioner *activity*), streamed
  line by line in constant memory and upserted by (national identifier, activity) in
  batches of one transaction each;
* Annuaire Santé FHIR ``Practitioner`` resources (a searchset Bundle or one resource).

Bad rows are reported (line number and reason) and skipped; they never stop an import.
A file that is not a directory file at all is refused whole, with nothing written.

Search folds accents and case (``fold``) and matches name prefixes, profession,
specialty and town on indexed folded columns; practitioners who hold a Carnet account
(same RPPS) are marked ``on_carnet`` with their ``user_id``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.records import fhir

from .models import DirectoryEntry, EntrySource

BATCH = 5000
MAX_LISTED = 20  # rejected rows listed one by one; beyond that only counted per reason
MAX_LIMIT = 100
MAX_FHIR_BYTES = 50 * 1024 * 1024
ANALYZE_AFTER = 10_000  # rows; statistics are refreshed after imports at least this big

# --- Folding --------------------------------------------------------------------------------

# Letters that NFKD does not decompose but a French reader treats as their Latin spelling.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o"})
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Accent- and case-folded text with words separated by one space.

    "Hélène LEBRUN-CARPENTIER" -> "helene lebrun carpentier". Letters of every script are
    kept; punctuation becomes a word break.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NON_WORD.sub(" ", bare).strip()


def _after_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix_q(column: str, prefix: str) -> Q:
    # A range is what a B-tree index answers on both engines, whatever the database
    # collation; the LIKE keeps the meaning exact if a linguistic collation widens it.
    return Q(
        **{
            f"{column}__gte": prefix,
            f"{column}__lt": _after_prefix(prefix),
            f"{column}__startswith": prefix,
        }
    )


# --- Import report --------------------------------------------------------------------------


class DirectoryFileRefused(ValueError):
    """The file is not a directory file at all; nothing was written."""


@dataclass
class ImportReport:
    format: str
    read: int = 0  # data rows (or FHIR entries) seen
    imported: int = 0  # rows written (created or updated)
    created: int = 0  # new listings
    skipped: int = 0  # FHIR entries that are not Practitioner resources
    rejected_by_reason: Counter = field(default_factory=Counter)
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (line or entry, reason)

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def reject(self, where: int, reason: str, detail: str = "") -> None:
        self.rejected_by_reason[reason] += 1
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append((where, f"{reason}: {detail}" if detail else reason))


# --- The public extract (PS_LibreAcces_Personne_activite) --------------------------------------

RPPS_HEADER_START = "Type d'identifiant PP|Identifiant PP|"

# Our field <- the extract's column, by header name.
COLUMNS = {
    "id_type": "Type d'identifiant PP",
    "identifier": "Identifiant PP",
    "national_id": "Identification nationale PP",
    "civility_practice": "Libellé civilité d'exercice",
    "civility": "Libellé civilité",
    "last_name": "Nom d'exercice",
    "first_name": "Prénom d'exercice",
    "profession_code": "Code profession",
    "profession": "Libellé profession",
    "specialty_type": "Code type savoir-faire",
    "specialty_code": "Code savoir-faire",
    "specialty": "Libellé savoir-faire",
    "mode_code": "Code mode exercice",
    "practice_mode": "Libellé mode exercice",
    "structure_id": "Identifiant technique de la structure",
    "company": "Raison sociale site",
    "brand": "Enseigne commerciale site",
    "place": "Complément point géographique (coord. structure)",
    "street_number": "Numéro Voie (coord. structure)",
    "street_repeat": "Indice répétition voie (coord. structure)",
    "street_type": "Libellé type de voie (coord. structure)",
    "street": "Libellé Voie (coord. structure)",
    "distribution": "Mention distribution (coord. structure)",
    "cedex": "Bureau cedex (coord. structure)",
    "postcode": "Code postal (coord. structure)",
    "town": "Libellé commune (coord. structure)",
    "phone": "Téléphone (coord. structure)",
    "email": "Adresse e-mail (coord. structure)",
}
EXPECTED_COLUMNS = 52

R_COLUMNS = "wrong number of columns"
R_ENCODING = "not UTF-8 text"
R_NO_ID = "missing identifier"
R_BAD_ID = "invalid identifier"
R_NO_NAME = "missing name"

_ID_RE = re.compile(r"[0-9A-Za-z]{1,20}")
_CEDEX_RE = re.compile(r"^(\d{5})\s+(.*?)(\s+CEDEX.*)?$", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_WRITTEN = [
    f.name
    for f in DirectoryEntry._meta.concrete_fields
    if not f.primary_key and f.name not in ("source",)
]
_MAX_LENGTH = {f.name: f.max_length for f in DirectoryEntry._meta.concrete_fields if f.max_length}


def _clipped(listing: dict) -> dict:
    # Longer text than a column holds would make PostgreSQL refuse the whole batch.
    # (Slicing a str to or beyond its length returns it unchanged, without a copy.)
    return {k: v[: _MAX_LENGTH[k]] for k, v in listing.items()}


def _town_of(row: dict) -> tuple[str, str]:
    """(postcode, town): the commune when given, else read from "01300 BELLEY CEDEX"."""
    postcode, town = row["postcode"], row["town"]
    match = _CEDEX_RE.match(row["cedex"]) if row["cedex"] else None
    if match:
        postcode = postcode or match.group(1)
        town = town or match.group(2).strip()
    return postcode, town


def _address_of(row: dict) -> str:
    street = " ".join(
        p
        for p in (row["street_number"], row["street_repeat"], row["street_type"], row["street"])
        if p
    )
    return ", ".join(p for p in (row["place"], street, row["distribution"]) if p)


def listing_from_row(row: dict) -> dict:
    """Our listing fields from one extract row (a dict of COLUMNS keys, already checked)."""
    postcode, town = _town_of(row)
    profession = row["profession"]
    specialty = row["specialty"]
    last, first = row["last_name"], row["first_name"]
    listing = {
        "id_type": row["id_type"],
        "identifier": row["identifier"],
        "national_id": row["national_id"],
        "activity_key": "|".join(
            (
                row["structure_id"],
                row["mode_code"],
                row["specialty_type"] + row["specialty_code"],
                row["profession_code"],
            )
        ),
        "rpps": row["identifier"] if row["id_type"] == "8" else "",
        "civility": row["civility_practice"] or row["civility"],
        "last_name": last,
        "first_name": first,
        "profession_code": row["profession_code"],
        "profession": profession,
        "specialty_code": row["specialty_code"],
        "specialty": specialty,
        "practice_mode": row["practice_mode"],
        "organisation": row["brand"] or row["company"],
        "address": _address_of(row),
        "postcode": postcode,
        "town": town,
        "phone": row["phone"],
        "email": row["email"],
        "name_norm": fold(f"{last} {first}"),
        "name_rev_norm": fold(f"{first} {last}"),
        "profession_norm": fold(profession),
        "specialty_norm": fold(specialty),
        "town_norm": fold(town),
    }
    return _clipped(listing)


def _check_identifier(row: dict) -> str | None:
    """The rejection reason for the row's identifiers, if any; fills a missing national id."""
    ident = row["identifier"]
    if not ident:
        return R_NO_ID
    if not _ID_RE.fullmatch(ident) or not _ID_RE.fullmatch(row["id_type"] or "x"):
        return R_BAD_ID
    if row["id_type"] == "8" and not (ident.isdigit() and len(ident) == 11):
        return R_BAD_ID
    national = row["national_id"] or (row["id_type"] + ident)
    if not re.fullmatch(r"[0-9A-Za-z]{1,24}", national):
        return R_BAD_ID
    row["national_id"] = national
    return None


def _header_index(header_line: bytes) -> tuple[dict[str, int], int]:
    try:
        text = header_line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DirectoryFileRefused("the header line is not UTF-8 text") from None
    if not text.startswith(RPPS_HEADER_START):
        raise DirectoryFileRefused(
            "this is not a public directory extract: the first line should be the header "
            f"starting with {RPPS_HEADER_START!r}"
        )
    names = text.split("|")
    if names and names[-1] == "":
        names.pop()
    position = {name: i for i, name in enumerate(names)}
    missing = [col for col in COLUMNS.values() if col not in position]
    if missing:
        raise DirectoryFileRefused(f"the header lacks the columns {', '.join(missing)}")
    return {key: position[col] for key, col in COLUMNS.items()}, len(names)


def parse_rpps(stream: BinaryIO, report: ImportReport) -> Iterator[dict]:
    """Listings from an extract, one per valid row; bad rows go to ``report``."""
    header = stream.readline()
    index, width = _header_index(header)
    for lineno, raw in enumerate(stream, start=2):
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        report.read += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.reject(lineno, R_ENCODING, f"byte {exc.start + 1}")
            continue
        if _CONTROL_RE.search(text):
            report.reject(lineno, R_ENCODING, "control character")
            continue
        cells = text.split("|")
        if len(cells) == width + 1 and cells[-1] == "":
            cells.pop()  # the trailing "|"
        if len(cells) != width:
            given = len(cells) - (1 if text.endswith("|") else 0)
            report.reject(lineno, R_COLUMNS, f"{given} instead of {width}")
            continue
        row = {key: cells[i].strip() for key, i in index.items()}
        reason = _check_identifier(row)
        if reason:
            report.reject(lineno, reason, row["identifier"][:30])
            continue
        if not (row["last_name"] or row["first_name"]):
            report.reject(lineno, R_NO_NAME, row["identifier"])
            continue
        yield listing_from_row(row)


# --- Writing ------------------------------------------------------------------------------------


def _upsert_sql(columns: list[str]) -> str:
    qn = connection.ops.quote_name
    table = qn(DirectoryEntry._meta.db_table)
    keys = ("national_id", "activity_key")
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in columns if c not in keys)
    # Only identifiers from the model's own metadata are interpolated; values are parameters.
    names = ", ".join(qn(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    conflict = ", ".join(qn(k) for k in keys)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"  # noqa: S608


def _write_batch(listings: Iterable[dict], source: str, run: str) -> int:
    """Upsert listings in one transaction: executemany of one statement on SQLite, COPY
    into a temporary table then one INSERT … SELECT … ON CONFLICT on PostgreSQL."""
    columns = ["source", *_WRITTEN]
    fixed = {"source": source, "import_run": run, "updated_at": timezone.now()}
    rows = []
    for listing in listings:
        listing.update(fixed)
        rows.append([listing.get(c, "") for c in columns])
    if not rows:
        return 0
    if connection.vendor == "postgresql" and COPY_ON_POSTGRESQL:
        _copy_batch(columns, rows)
        return len(rows)
    sql = _upsert_sql(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


LOAD_TABLE = "care_directory_load"
COPY_ON_POSTGRESQL = True  # the benchmark turns it off to compare with executemany


def _copy_batch(columns: list[str], rows: list[list]) -> None:
    """PostgreSQL: COPY the batch into a session's temporary table (emptied at commit),
    then upsert it in one statement (the same ON CONFLICT as the executemany path)."""
    qn = connection.ops.quote_name
    table = qn(DirectoryEntry._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    keys = ("national_id", "activity_key")
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in columns if c not in keys)
    conflict = ", ".join(qn(k) for k in keys)
    load = qn(LOAD_TABLE)
    # Only identifiers from the model's own metadata are interpolated; values go by COPY.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {load} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {load}")  # inside an outer transaction, rows would stay
        with cursor.cursor.copy(f"COPY {load} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {load} "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )


def _existing_indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, DirectoryEntry._meta.db_table))


def ensure_search_indexes() -> list[str]:
    """Create any search index that is missing (after an interrupted first load); their names."""
    existing = _existing_indexes()
    editor = connection.schema_editor(collect_sql=False)
    created = []
    with connection.cursor() as cursor:
        for index in DirectoryEntry._meta.indexes:
            if index.name not in existing:
                cursor.execute(str(index.create_sql(DirectoryEntry, editor)))
                created.append(index.name)
    return created


@contextmanager
def _bulk_load(*, empty: bool) -> Iterator[None]:
    """Settings for a big load: a bigger SQLite page cache; into an empty directory, the
    search indexes are built once at the end (sorted) instead of row by row.

    The unique (national_id, activity_key) index stays: the upsert needs it. Dropping
    indexes is only done when there is nothing to search yet.
    """
    sqlite = connection.vendor == "sqlite"
    old_cache = None
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA cache_size")
            old_cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB, for this connection only
        if empty:
            qn = connection.ops.quote_name
            for index in DirectoryEntry._meta.indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {qn(index.name)}")
    try:
        yield
    finally:
        ensure_search_indexes()
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(old_cache)}")


def _analyze() -> None:
    """Refresh the planner's statistics, so a freshly loaded directory is searched by index."""
    table = connection.ops.quote_name(DirectoryEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # sampled: fast on millions of rows
        cursor.execute(f"ANALYZE {table}")


def import_rpps(
    stream: BinaryIO,
    *,
    batch_size: int = BATCH,
    progress: Callable[[ImportReport], None] | None = None,
    prune: bool = False,
) -> ImportReport:
    """Stream a public directory extract into the directory (see the module docstring).

    Re-importing updates listings instead of duplicating them. With ``prune``, listings
    from an earlier extract that this one no longer contains are deleted (use it with
    the full national file only). Raises DirectoryFileRefused for a file that is not an
    extract, before anything is written.
    """
    report = ImportReport(format="rpps")
    run = uuid.uuid4().hex
    before = DirectoryEntry.objects.count()
    pending: dict[tuple[str, str], dict] = {}
    with _bulk_load(empty=before == 0):
        for listing in parse_rpps(stream, report):
            # The last row for a key wins; PostgreSQL refuses to update a row twice per statement.
            pending[(listing["national_id"], listing["activity_key"])] = listing
            report.imported += 1
            if len(pending) >= batch_size:
                _write_batch(pending.values(), EntrySource.RPPS, run)
                pending.clear()
                if progress:
                    progress(report)
        _write_batch(pending.values(), EntrySource.RPPS, run)
    if prune and report.imported:
        DirectoryEntry.objects.filter(source=EntrySource.RPPS).exclude(import_run=run).delete()
    report.created = max(DirectoryEntry.objects.count() - before, 0)
    if report.imported >= ANALYZE_AFTER:
        _analyze()
    if progress:
        progress(report)
    return report


# --- Annuaire Santé FHIR -------------------------------------------------------------------------

RPPS_SYSTEMS = {"http://rpps.fr", "https://rpps.esante.gouv.fr", "urn:oid:1.2.250.1.71.4.2.1"}
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
# TRE_G15 profession codes of the commonest professions, for resources that give no display.
PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "40": "Chirurgien-Dentiste",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
}


def _ident_code(identifier: dict) -> str:
    for coding in (identifier.get("type") or {}).get("coding") or []:
        if isinstance(coding, dict) and coding.get("code"):
            return str(coding["code"])
    return ""


def _practitioner_ids(resource: dict) -> tuple[str, str, str]:
    """(id_type, identifier, national_id) of a Practitioner, or empty strings."""
    idnps = rpps = adeli = ""
    for ident in resource.get("identifier") or []:
        value = str(ident.get("value") or "")
        code = _ident_code(ident)
        if code == "IDNPS" or (ident.get("system") == IDNPS_SYSTEM and len(value) == 12):
            idnps = value
        elif code == "RPPS" or (ident.get("system") in RPPS_SYSTEMS and len(value) == 11):
            rpps = value
        elif code == "ADELI":
            adeli = value
    if rpps:
        return "8", rpps, idnps or "8" + rpps
    if idnps and idnps[0] == "8" and len(idnps) == 12:
        return "8", idnps[1:], idnps
    if adeli:
        return "0", adeli, idnps or "0" + adeli
    if idnps:
        return idnps[0], idnps[1:], idnps
    return "", "", ""


def _coding_in(resource: dict, marker: str) -> tuple[str, str]:
    for qual in resource.get("qualification") or []:
        for coding in (qual.get("code") or {}).get("coding") or []:
            if marker in str(coding.get("system") or ""):
                code = str(coding.get("code") or "")
                return code, str(coding.get("display") or PROFESSIONS.get(code, ""))
    return "", ""


def listing_from_practitioner(resource: dict) -> dict:
    id_type, ident, national = _practitioner_ids(resource)
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    last = str(name.get("family") or "")
    first = " ".join(str(g) for g in name.get("given") or [])
    prefix = name.get("prefix") or []
    profession_code, profession = _coding_in(resource, "TRE_G15")
    specialty_code, specialty = _coding_in(resource, "TRE_R38")
    listing = {
        "id_type": id_type,
        "identifier": ident,
        "national_id": national,
        "activity_key": "",
        "rpps": ident if id_type == "8" else "",
        "civility": str(prefix[0]) if prefix else "",
        "last_name": last,
        "first_name": first,
        "profession_code": profession_code,
        "profession": profession,
        "specialty_code": specialty_code,
        "specialty": specialty,
        "name_norm": fold(f"{last} {first}"),
        "name_rev_norm": fold(f"{first} {last}"),
        "profession_norm": fold(profession),
        "specialty_norm": fold(specialty),
    }
    return _clipped(listing)


def _parse_fhir(data: bytes) -> list:
    if len(data) > MAX_FHIR_BYTES:
        raise DirectoryFileRefused(f"the file is over {MAX_FHIR_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise DirectoryFileRefused("the file is not UTF-8 text") from None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DirectoryFileRefused(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(doc, dict):
        raise DirectoryFileRefused("the file is not a FHIR resource (a JSON object)")
    if doc.get("resourceType") == "Practitioner":
        return [doc]
    if doc.get("resourceType") != "Bundle":
        raise DirectoryFileRefused(
            "the file is neither a FHIR Bundle nor a Practitioner "
            f"(resourceType {str(doc.get('resourceType'))[:40]!r})"
        )
    entries = doc.get("entry")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise DirectoryFileRefused("the Bundle's entry is not a list")
    return [e.get("resource") if isinstance(e, dict) else None for e in entries]


def import_fhir(data: bytes) -> ImportReport:
    """Import the Practitioner resources of an Annuaire Santé FHIR Bundle (or one resource).

    Each Practitioner is validated as FHIR R4; invalid ones are rejected with the reason,
    other resource types are skipped. A practitioner already listed (from the extract)
    gets their identity updated on every listing; a new one gets a listing of their own.
    The whole file is written in one transaction, or refused with nothing written.
    """
    report = ImportReport(format="fhir")
    listings: dict[str, dict] = {}
    for n, resource in enumerate(_parse_fhir(data), start=1):
        report.read += 1
        if not isinstance(resource, dict):
            report.reject(n, "entry without a resource")
            continue
        if resource.get("resourceType") != "Practitioner":
            report.skipped += 1
            continue
        try:
            fhir.validate(resource)
        except fhir.InvalidResource as exc:
            report.reject(n, "invalid FHIR Practitioner", str(exc)[:200])
            continue
        listing = listing_from_practitioner(resource)
        if not listing["national_id"]:
            report.reject(n, R_NO_ID, "no RPPS, ADELI or IDNPS identifier")
            continue
        listings[listing["national_id"]] = listing
        report.imported += 1
    identity = [
        "id_type", "identifier", "rpps", "civility", "last_name", "first_name",
        "name_norm", "name_rev_norm",
    ]  # fmt: skip
    now = timezone.now()
    new = []
    with transaction.atomic():
        for national, listing in listings.items():
            fields = {k: listing[k] for k in identity}
            for extra in ("profession", "specialty"):
                if listing[extra]:  # a Practitioner rarely says; keep the extract's
                    fields.update({k: listing[k] for k in listing if k.startswith(extra)})
            updated = DirectoryEntry.objects.filter(national_id=national).update(
                **fields, updated_at=now
            )
            if not updated:
                new.append(listing)
        _write_batch(new, EntrySource.FHIR, uuid.uuid4().hex)
    report.created = len(new)
    return report


# --- Entry point for the command -----------------------------------------------------------------


def detect_format(path: Path) -> str:
    with path.open("rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return "fhir"
    return "rpps"


def import_file(
    path: Path,
    fmt: str = "auto",
    *,
    progress: Callable[[ImportReport], None] | None = None,
    prune: bool = False,
) -> ImportReport:
    """Import a directory file; ``fmt`` is "rpps", "fhir" or "auto" (by its first bytes)."""
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "fhir":
        return import_fhir(path.read_bytes())
    with path.open("rb") as fh:
        return import_rpps(fh, progress=progress, prune=prune)


# --- Search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    id: int
    national_id: str
    rpps: str
    civility: str
    last_name: str
    first_name: str
    profession: str
    specialty: str
    practice_mode: str
    organisation: str
    address: str
    postcode: str
    town: str
    phone: str
    email: str
    on_carnet: bool = False
    user_id: int | None = None  # the practitioner's Carnet account, to reach them

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class SearchResult:
    entries: list[Listing]
    total: int | None  # None when not counted (``count=False``)
    more: bool = False  # more listings match than ``entries`` holds


_LISTING_FIELDS = [f for f in Listing.__dataclass_fields__ if f not in ("on_carnet", "user_id")]


def carnet_users_by_rpps(rpps: Iterable[str]) -> dict[str, int]:
    """Active practitioner accounts among these RPPS numbers that match their listing
    (same name): {rpps: user id}."""
    wanted = {r for r in rpps if r}
    if not wanted:
        return {}
    users = list(
        get_user_model().objects.filter(role="practitioner", is_active=True, rpps__in=wanted)
    )
    verified = verified_practitioners(users)  # an account under another name is not them
    return {u.rpps: u.pk for u in users if u.pk in verified}


def search(
    q: str = "",
    profession: str = "",
    specialty: str = "",
    town: str = "",
    limit: int = 20,
    offset: int = 0,
    *,
    count: bool = True,
) -> SearchResult:
    """Directory listings matching every given criterion, by name, and how many match.

    With ``count=False`` the total is not counted (counting a broad match over millions
    of rows costs more than finding the first page): one more row than ``limit`` is read
    and ``more`` says whether there are others. ``q`` matches the start of "last first" or "first last" ("hel", "Hélène Kri",
    "kristian h"); ``profession`` and ``specialty`` match a whole label; ``town`` a
    whole commune name, or the start of a postcode when it is digits ("01", "01300").
    All comparisons ignore accents, case and punctuation.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    qs = DirectoryEntry.objects.all()
    name = fold(q)
    if name:
        qs = qs.filter(_prefix_q("name_norm", name) | _prefix_q("name_rev_norm", name))
    if fold(profession):
        qs = qs.filter(profession_norm=fold(profession))
    if fold(specialty):
        qs = qs.filter(specialty_norm=fold(specialty))
    town = town.strip()
    if town.replace(" ", "").isdigit():
        qs = qs.filter(_prefix_q("postcode", town.replace(" ", "")))
    elif fold(town):
        qs = qs.filter(town_norm=fold(town))
    total = qs.count() if count else None
    rows = list(
        qs.order_by("name_norm", "id").values(*_LISTING_FIELDS)[offset : offset + limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    users = carnet_users_by_rpps(r["rpps"] for r in rows)
    entries = [
        Listing(**r, on_carnet=r["rpps"] in users, user_id=users.get(r["rpps"])) for r in rows
    ]
    return SearchResult(entries=entries, total=total, more=more)


def entry_count() -> int:
    return DirectoryEntry.objects.count()


# --- Who may hold a practitioner account -------------------------------------------------------

# Titles people put before a name; they are not part of the name the directory lists.
_TITLES = {"dr", "docteur", "pr", "professeur", "m", "mme", "mlle", "madame", "monsieur"}


class NotInDirectory(ValidationError):
    """A practitioner account that does not match the national directory loaded in Carnet."""


def _name_words(text: str) -> frozenset[str]:
    return frozenset(w for w in fold(text).split() if w not in _TITLES)


def _listed_name(entry: DirectoryEntry) -> str:
    return " ".join(p for p in (entry.first_name, entry.last_name) if p)


def _same_name(name: str, entry: DirectoryEntry) -> bool:
    return _name_words(name) == _name_words(_listed_name(entry))


def _same_profession(profession: str, entry: DirectoryEntry) -> bool:
    """The profession given is the directory's profession or specialty for that listing
    ("Médecin", "Sage-Femme", "Cardiologue"), or a kind of it ("Médecin généraliste")."""
    given = fold(profession)
    listed = {fold(entry.profession), fold(entry.specialty)} - {""}
    return given in listed or any(given.startswith(p + " ") for p in listed)


def check_practitioner(rpps: str, name: str = "", profession: str = "") -> DirectoryEntry:
    """The directory listing a practitioner account must match, or NotInDirectory saying
    what to do. The RPPS number must be listed, the name (titles aside, accents and case
    ignored) must be the listed one, and the profession one the directory gives for that
    person. An empty name or profession is taken from the directory by the caller."""
    entries = list(DirectoryEntry.objects.filter(rpps=rpps).order_by("id")) if rpps else []
    if not entries:
        raise NotInDirectory(
            _(
                "RPPS number %(rpps)s is not in the national directory loaded in Carnet: only "
                "health professionals listed there can have a professional account. Check the "
                "number, or load the current directory first (carnet directory import FILE)."
            )
            % {"rpps": rpps}
        )
    if name.strip():
        named = [e for e in entries if _same_name(name, e)]
        if not named:
            raise NotInDirectory(
                _(
                    "The name “%(name)s” is not the one the directory lists for RPPS number "
                    "%(rpps)s (“%(listed)s”): give the name as the directory lists it."
                )
                % {"name": name.strip(), "rpps": rpps, "listed": _listed_name(entries[0])}
            )
        entries = named
    if profession.strip():
        practising = [e for e in entries if _same_profession(profession, e)]
        if not practising:
            listed = sorted({e.specialty or e.profession for e in entries} - {""})
            raise NotInDirectory(
                _(
                    "“%(profession)s” is not a health profession the directory lists for RPPS "
                    "number %(rpps)s (%(listed)s): give the profession as the directory lists it."
                )
                % {
                    "profession": profession.strip(),
                    "rpps": rpps,
                    "listed": ", ".join(listed) or "—",
                }
            )
        entries = practising
    return entries[0]


def listing_name(entry: DirectoryEntry) -> str:
    """How an account created from this listing is named ("Dr Claire Garonne")."""
    name = _listed_name(entry)
    civility = fold(entry.civility)
    return f"Dr {name}" if civility in {"dr", "docteur"} else name


def verified_practitioners(users) -> set[int]:
    """The ids of those practitioner accounts that match the directory today (RPPS listed,
    same name). Accounts made before the check, or whose listing has gone, are left out."""
    users = [u for u in users if getattr(u, "rpps", "")]
    if not users:
        return set()
    by_rpps: dict[str, list[DirectoryEntry]] = {}
    for entry in DirectoryEntry.objects.filter(rpps__in={u.rpps for u in users}):
        by_rpps.setdefault(entry.rpps, []).append(entry)
    return {
        u.pk for u in users if any(_same_name(u.display_name, e) for e in by_rpps.get(u.rpps, []))
    }


def is_verified(user) -> bool:
    return user.pk in verified_practitioners([user])
