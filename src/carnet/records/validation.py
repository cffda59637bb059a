"""FHIR R4 rules that the pydantic models of fhir.resources do not check.

``fhir.validate`` runs the model first (types, required fields, unknown properties), then
``check(resource)`` here: the FHIR JSON rules (no null, no empty string, array or object),
resource ids, absolute URIs and UUIDs, contained resources (dom-2..dom-5, ref-1), Bundle
rules (fullUrl, links, search entries, references resolved inside the bundle), base64
attachments, XHTML narratives, SNOMED CT identifiers and a few invariants that need no
terminology server (per-1, ras-1/ras-2, CodeSystem properties and supplements, ValueSet
systems and filters).

Everything is a general FHIR rule, driven by the shape of the JSON; the walk is a single
pass over the resource so it costs a small fraction of the model validation.

Some rules of the official (Java) validator depend on how it is run; ``Options`` names
them and Carnet's defaults. ``loads`` parses JSON the way the official validator does,
refusing comments unless ``allow_comments`` is set.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from . import dates

MAX_STRING_BYTES = 1024 * 1024  # a FHIR string is at most 1 MB
ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")
SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# RFC 4122 asks for lowercase; official R4 examples use uppercase, so both are accepted.
UUID_RE = re.compile(
    r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
OID_RE = re.compile(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+")
RELATIVE_REF_RE = re.compile(
    r"[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-.]{1,64}(/_history/[A-Za-z0-9\-.]{1,64})?"
)
CONDITIONAL_REF_RE = re.compile(r"[A-Z][A-Za-z]{1,63}\?.*", re.S)
REST_URL_RE = re.compile(
    r"(?:https?://.*/)?([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/([A-Za-z0-9\-.]{1,64}))?"
)
BASE64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
SCTID_RE = re.compile(r"[1-9][0-9]{5,17}")
SNOMED = "http://snomed.info/sct"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
HTML_TAG_RE = re.compile(r"<[A-Za-z/!]")
EXAMPLE_HOST_RE = re.compile(r"https?://([^/]*\.)?example\.(org|com)(/|$)")
# Links that page through results: only meaningful in searchset and history bundles.
PAGING_RELATIONS = frozenset({"first", "previous", "prev", "next", "last"})
# Standard concept properties (http://hl7.org/fhir/concept-properties) that are booleans.
BOOLEAN_CONCEPT_PROPERTIES = frozenset({"notSelectable", "deprecated"})
SNOMED_CONCEPT_FILTER_OPS = frozenset({"is-a", "descendent-of", "is-not-a", "generalizes"})


class StructuralError(ValueError):
    """What is wrong and where (a FHIRPath-like location)."""


@dataclass(frozen=True)
class CodeProblem:
    """A code that is not what its system allows (a SNOMED CT id with a wrong check digit).

    The file's structure is sound: an importer keeps the item as written, with this
    warning, instead of refusing the file (see ``check(..., code_problems=)``).
    """

    path: str
    system: str
    code: str
    message: str


# The list that collects code problems while ``check`` runs, when the caller asked for it.
_code_problems: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "carnet_code_problems", default=None
)


def _code_problem(path: str, system: str, code: str, message: str) -> None:
    """A wrong code: a warning when the caller collects them, otherwise an error."""
    collected = _code_problems.get()
    if collected is None:
        _fail(path, message)
    collected.append(CodeProblem(path, system, code, message))


@dataclass(frozen=True)
class Options:
    """Validator settings that change the outcome; the defaults are Carnet's policy."""

    #: JSON with // and /* */ comments (the Java validator's ``allow-comments``).
    allow_comments: bool = False
    #: Validate contained resources (the Java ``validateContains``; IGNORE skips them).
    check_contained: bool = True
    #: Accept http://example.org / example.com URLs in attachments and extension URLs
    #: (the Java validator's "examples" mode). Carnet accepts them: they are harmless.
    example_urls: bool = True
    #: Accept markdown that contains what looks like raw HTML (Annotation.text).
    html_in_markdown: bool = True


DEFAULT = Options()


# --- JSON ---------------------------------------------------------------------------------------


def _strip_comments(text: str) -> str:
    """Remove // and /* */ comments outside strings, keeping line numbers."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
        elif ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise StructuralError("a /* comment is not closed")
            out.append("\n" * text.count("\n", i, j))
            i = j + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise StructuralError(f"property {key[:64]!r} appears twice in the same object")
        obj[key] = value
    return obj


def loads(text: str | bytes, *, options: Options = DEFAULT):
    """Parse FHIR JSON: strict JSON, no duplicate property names; comments only if allowed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise StructuralError("the JSON is not encoded in UTF-8") from None
    if options.allow_comments:
        text = _strip_comments(text)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        hint = ""
        if not options.allow_comments and ("//" in text or "/*" in text):
            hint = " (comments are not allowed in JSON)"
        raise StructuralError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}){hint}"
        ) from None
    except RecursionError:
        raise StructuralError("the JSON is nested too deeply") from None


# --- Small value checks -------------------------------------------------------------------------


def _verhoeff_ok(number: str) -> bool:
    d = (
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
        (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
        (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
        (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
        (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
        (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
        (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
        (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
        (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
        (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
    )
    p = (
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
        (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
        (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
        (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
        (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
        (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
        (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
        (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
    )
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = d[c][p[i % 8][ord(ch) - 48]]
    return c == 0


_SCTID_CACHE: dict[str, bool] = {}


def _snomed_code_problem(code: str) -> str | None:
    """A SNOMED CT concept id must be 6-18 digits with a valid Verhoeff check digit.

    Post-coordinated expressions (with ``:``, ``|``, ``+``, ``=`` or spaces) are left alone.
    """
    if any(ch in code for ch in ":|+= {}()"):
        return None
    ok = _SCTID_CACHE.get(code)
    if ok is None:
        ok = bool(SCTID_RE.fullmatch(code)) and _verhoeff_ok(code)
        if len(_SCTID_CACHE) < 100_000:
            _SCTID_CACHE[code] = ok
    return None if ok else f"{code[:40]!r} is not a valid SNOMED CT identifier"


def _uri_problem(value: str, what: str) -> str | None:
    if not SCHEME_RE.match(value):
        return f"{what} must be an absolute URI, not {value[:80]!r}"
    if value.startswith("urn:uuid:") and not UUID_RE.fullmatch(value):
        return f"{what}: {value[:80]!r} is not a valid UUID"
    if value.startswith("urn:oid:") and not OID_RE.fullmatch(value):
        return f"{what}: {value[:80]!r} is not a valid OID"
    return None


def _instant(value: str) -> tuple[int, datetime] | None:
    """(precision, value) of a date/dateTime: 0 year, 1 month, 2 day, 3 time (UTC)."""
    first = dates.instant(value)
    if first is None:
        return None
    return dates.PRECISIONS.index(dates.precision(value)), first.astimezone(UTC)


def _period_problem(start: str, end: str) -> str | None:
    """per-1: start <= end, with FHIRPath semantics (an undecidable comparison fails)."""
    if start == end:
        return None
    a, b = _instant(start), _instant(end)
    if a is None or b is None:
        return None  # the model already checked the formats
    pa, va = a
    pb, vb = b
    if pa == pb:
        return None if va <= vb else "per-1: the start of a period must not be after its end"
    # Different precisions: compare on the common precision first.
    common = min(pa, pb)
    key = (
        (lambda d: (d.year,)),
        (lambda d: (d.year, d.month)),
        (lambda d: (d.year, d.month, d.day)),
    )[common]
    ka, kb = key(va), key(vb)
    if ka < kb:
        return None
    if ka > kb:
        return "per-1: the start of a period must not be after its end"
    return (
        f"per-1: cannot tell whether start {start!r} is before end {end!r} "
        "(they have different precisions)"
    )


def _base64_problem(data: str) -> tuple[str | None, int]:
    compact = "".join(data.split())
    if len(compact) % 4 or not BASE64_RE.fullmatch(compact):
        return "is not valid base64", 0
    try:
        return None, len(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        return "is not valid base64", 0


_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})


def _xhtml_problem(div: str) -> str | None:
    if not div.lstrip().startswith("<div"):
        return "the narrative must be an XHTML <div> element"
    if "<!" in div and re.search(r"<!(DOCTYPE|ENTITY)", div, re.I):
        return "the narrative must not declare a DOCTYPE or entities"
    try:
        # No DTD can be declared (refused above), so no entity expansion attack.
        root = ET.fromstring(div)  # noqa: S314
    except ET.ParseError as exc:
        bad = re.search(r"&([A-Za-z][A-Za-z0-9]*);", div)
        if bad and bad.group(1) not in _XML_ENTITIES:
            return f"invalid entity in the XHTML ('&{bad.group(1)};')"
        return f"the narrative is not well-formed XHTML ({exc})"
    if root.tag not in ("div", XHTML_NS + "div"):
        return "the narrative must be an XHTML <div> element"
    return None


# --- The walk -----------------------------------------------------------------------------------


class _Scope:
    """What a resource and its contained resources say about local (#) references."""

    __slots__ = ("hash_values", "local_refs", "contained")

    def __init__(self):
        self.hash_values: set[str] = set()  # every string value starting with '#'
        self.local_refs: list[tuple[str, str]] = []  # (reference, path)
        self.contained: list[tuple[str | None, str]] = []  # (id, path)


def _fail(path: str, message: str):
    raise StructuralError(f"{path}: {message}" if path else message)


def check(resource: dict, options: Options = DEFAULT, *, code_problems: list | None = None) -> None:
    """Raise StructuralError unless ``resource`` follows the rules above.

    With ``code_problems`` (a list), a code its system does not allow is appended there
    as a ``CodeProblem`` instead of raising: it is a warning on the item, not a broken file.
    """
    if not isinstance(resource, dict):
        _fail("", "a resource must be a JSON object")
    token = _code_problems.set(code_problems)
    try:
        _resource(resource, str(resource.get("resourceType", "Resource"))[:64], options, False)
    finally:
        _code_problems.reset(token)


def _resource(res: dict, path: str, opts: Options, contained: bool) -> None:
    rid = res.get("id")
    if rid is not None and not (isinstance(rid, str) and ID_RE.fullmatch(rid)):
        if isinstance(rid, str) and len(rid) > 64 and ID_RE.fullmatch(rid[:64]):
            _fail(f"{path}.id", f"invalid resource id: too long ({len(rid)} characters)")
        _fail(f"{path}.id", f"invalid resource id {str(rid)[:80]!r}")
    scope = _Scope()
    _walk(res, path, opts, scope, True)
    _contained_rules(res, path, opts, scope)
    rule = TYPE_RULES.get(res.get("resourceType"))
    if rule is not None:
        rule(res, path, opts)
    url = res.get("url")
    if isinstance(url, str) and res.get("resourceType") in CANONICAL_TYPES:
        problem = _uri_problem(url, "canonical URL")
        if problem:
            _fail(f"{path}.url", problem)


def _walk(node: dict, path: str, opts: Options, scope: _Scope, is_resource: bool) -> None:
    if not node:
        _fail(path, "an object must not be empty")
    for key, value in node.items():
        t = type(value)
        if t is str:
            _string(node, key, value, path, opts, scope)
        elif t is list:
            _list(node, key, value, path, opts, scope, is_resource)
        elif t is dict:
            sub = f"{path}.{key}"
            if "resourceType" in value:
                _resource(value, sub, opts, False)
            else:
                _walk(value, sub, opts, scope, False)
        elif value is None:
            _fail(f"{path}.{key}", "null is not allowed in FHIR JSON (leave the property out)")
    if not is_resource:
        _datatype_rules(node, path, opts)


def _list(node, key, value, path, opts, scope, is_resource) -> None:
    if not value:
        _fail(f"{path}.{key}", "an array must not be empty (leave the property out)")
    nulls_ok = key[0] == "_" or ("_" + key) in node
    contained = is_resource and key == "contained"
    for i, item in enumerate(value):
        t = type(item)
        if t is dict:
            sub = f"{path}.{key}[{i}]"
            if contained:
                if opts.check_contained:
                    _contained_resource(item, sub, opts, scope)
                else:
                    cid = item.get("id")
                    scope.contained.append((cid if isinstance(cid, str) else None, sub))
            elif "resourceType" in item:
                _resource(item, sub, opts, False)
            else:
                _walk(item, sub, opts, scope, False)
        elif t is str:
            if not item:
                _fail(f"{path}.{key}[{i}]", "a string must not be empty")
            if item[0] == "#":
                scope.hash_values.add(item)
            if len(item) > MAX_STRING_BYTES // 4:
                _long_string(item, f"{path}.{key}[{i}]")
        elif item is None:
            if not nulls_ok:
                _fail(f"{path}.{key}[{i}]", "null is not allowed in FHIR JSON")
        elif t is list:
            _fail(f"{path}.{key}[{i}]", "an array must not contain arrays")


def _long_string(value: str, path: str) -> None:
    size = len(value.encode("utf-8"))
    if size > MAX_STRING_BYTES:
        _fail(path, f"the value is longer than the 1 MB a FHIR string may hold ({size} bytes)")


def _string(node, key, value, path, opts, scope) -> None:
    if not value:
        _fail(f"{path}.{key}", "a string must not be empty (leave the property out)")
    if len(value) > MAX_STRING_BYTES // 4:
        _long_string(value, f"{path}.{key}")
    if value[0] == "#":
        scope.hash_values.add(value)
    if key == "reference":
        _reference(value, f"{path}.reference", scope)
    elif key == "div" and "status" in node:
        problem = _xhtml_problem(value)
        if problem:
            _fail(f"{path}.div", problem)


def _reference(ref: str, path: str, scope: _Scope) -> None:
    if ref[0] == "#":
        scope.local_refs.append((ref, path))
        return
    if SCHEME_RE.match(ref):
        return  # absolute: whether it resolves is the importer's business
    if not (RELATIVE_REF_RE.fullmatch(ref) or CONDITIONAL_REF_RE.fullmatch(ref)):
        _fail(
            path,
            f"relative references must be of the form Type/id, not {ref[:80]!r}",
        )


def _datatype_rules(node: dict, path: str, opts: Options) -> None:
    """Rules for data types recognised by their shape."""
    if "system" in node and "code" in node:  # Coding or Quantity
        system = node["system"]
        if isinstance(system, str):
            problem = _uri_problem(system, "Coding.system")
            if problem:
                _fail(f"{path}.system", problem)
            if "value" not in node:  # a Coding
                if system.startswith("http://hl7.org/fhir/ValueSet/"):
                    _fail(
                        f"{path}.system",
                        f"the Coding names a value set, not a code system ({system[:80]!r})",
                    )
                code = node["code"]
                if system == SNOMED and isinstance(code, str):
                    problem = _snomed_code_problem(code)
                    if problem:
                        _code_problem(f"{path}.code", system, code, problem)
    if "data" in node and "contentType" in node:  # Attachment
        data = node["data"]
        if isinstance(data, str):
            problem, size = _base64_problem(data)
            if problem:
                _fail(f"{path}.data", problem)
            stated = node.get("size")
            if isinstance(stated, int) and stated != size:
                _fail(
                    path,
                    f"the stated attachment size {stated} does not match the data ({size} bytes)",
                )
    if not opts.example_urls and "contentType" in node:
        url = node.get("url")
        if isinstance(url, str) and EXAMPLE_HOST_RE.match(url):
            _fail(f"{path}.url", f"example URLs are not allowed here ({url[:80]})")
    start, end = node.get("start"), node.get("end")
    if isinstance(start, str) and isinstance(end, str) and "low" not in node:
        problem = _period_problem(start, end)
        if problem:
            _fail(path, problem)
    if not opts.html_in_markdown and "text" in node and len(node) <= 4:
        text = node["text"]
        if (
            isinstance(text, str)
            and (path.endswith("]") and ".note[" in path)
            and HTML_TAG_RE.search(text)
        ):
            _fail(f"{path}.text", "the markdown contains what looks like an HTML tag")


# --- Contained resources (dom-2..dom-5, ref-1) --------------------------------------------------


def _contained_resource(item: dict, path: str, opts: Options, scope: _Scope) -> None:
    if "resourceType" not in item:
        _fail(path, "a contained resource must have a resourceType")
    cid = item.get("id")
    if not isinstance(cid, str):
        _fail(path, "a contained resource must have an id")
    if not ID_RE.fullmatch(cid):
        if len(cid) > 64:
            _fail(f"{path}.id", f"invalid resource id: too long ({len(cid)} characters)")
        _fail(f"{path}.id", f"invalid resource id {cid[:80]!r}")
    if "contained" in item:
        _fail(path, "dom-2: a contained resource must not contain resources")
    meta = item.get("meta")
    if isinstance(meta, dict) and ("versionId" in meta or "lastUpdated" in meta):
        _fail(path, "dom-4: a contained resource must not have meta.versionId or meta.lastUpdated")
    if isinstance(meta, dict) and "security" in meta:
        _fail(path, "dom-5: a contained resource must not have a security label")
    if "text" in item:
        pass  # dom-6 is a best-practice warning only
    scope.contained.append((cid, path))
    _walk(item, path, opts, scope, True)
    # Canonical URLs of contained resources, when present, must be absolute too.
    url = item.get("url")
    if isinstance(url, str) and item.get("resourceType") in CANONICAL_TYPES:
        problem = _uri_problem(url, "canonical URL in a contained resource")
        if problem:
            _fail(f"{path}.url", problem)
    rule = TYPE_RULES.get(item.get("resourceType"))
    if rule is not None:
        rule(item, path, opts)


def _contained_rules(res: dict, path: str, opts: Options, scope: _Scope) -> None:
    ids = {cid for cid, _ in scope.contained if cid}
    for ref, ref_path in scope.local_refs:
        if ref != "#" and ref[1:] not in ids:
            _fail(ref_path, f"ref-1: {ref[:80]!r} points to no contained resource")
    if not opts.check_contained or not scope.contained:
        return
    container_referenced = "#" in scope.hash_values
    seen = set()
    for cid, cpath in scope.contained:
        if cid in seen:
            _fail(cpath, f"two contained resources have the id {cid!r}")
        seen.add(cid)
        if not container_referenced and f"#{cid}" not in scope.hash_values:
            _fail(
                cpath,
                f"dom-3: the contained resource {cid[:64]!r} is not referenced from elsewhere "
                "in the resource, nor does it refer to the resource that contains it",
            )


# --- Rules per resource type --------------------------------------------------------------------


def _rel_key(ref: str, base: str | None) -> tuple[str, str | None] | None:
    """The absolute (fullUrl, version) a reference points to from an entry with ``base``."""
    if ref.startswith("#"):
        return None
    m = REST_URL_RE.fullmatch(ref)
    if SCHEME_RE.match(ref):
        if m and m.group(3):
            return ref[: ref.index("/_history/")], m.group(3)
        return ref, None
    if not m:
        return None
    target = f"{m.group(1)}/{m.group(2)}"
    return (f"{base}{target}" if base else target), m.group(3)


def _iter_refs(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value, f"{path}.reference"
            elif key == "resource" and isinstance(value, dict) and "resourceType" in value:
                continue  # a nested resource: its own scope
            elif key == "contained":
                continue
            elif isinstance(value, dict | list):
                yield from _iter_refs(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _iter_refs(item, f"{path}[{i}]")


def _bundle(res: dict, path: str, opts: Options) -> None:
    btype = res.get("type")
    entries = res.get("entry") or []
    links = res.get("link") or []
    seen_rel = set()
    for i, link in enumerate(links):
        rel = link.get("relation") if isinstance(link, dict) else None
        if not isinstance(rel, str):
            continue
        if rel in seen_rel:
            _fail(f"{path}.link[{i}]", f"the link relation {rel!r} can only occur once")
        seen_rel.add(rel)
        if rel in PAGING_RELATIONS and btype not in ("searchset", "history"):
            _fail(
                f"{path}.link[{i}]",
                f"the link relation {rel!r} is for paging search results, not for a {btype} bundle",
            )
    by_url: dict[str, list[tuple[int, str | None]]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        epath = f"{path}.entry[{i}]"
        resource = entry.get("resource")
        full_url = entry.get("fullUrl")
        if "request" in entry and btype not in ("transaction", "batch", "history"):
            _fail(epath, f"bdl-3: entry.request is only for transactions, not a {btype} bundle")
        if "response" in entry and btype not in (
            "transaction-response",
            "batch-response",
            "history",
        ):
            _fail(epath, f"bdl-4: entry.response is only for responses, not a {btype} bundle")
        if "search" in entry and btype != "searchset":
            _fail(epath, f"bdl-2: entry.search is only for search results, not a {btype} bundle")
        if isinstance(full_url, str):
            problem = _uri_problem(full_url, "the fullUrl")
            if problem:
                _fail(f"{epath}.fullUrl", problem)
            if "/_history/" in full_url:
                _fail(f"{epath}.fullUrl", "bdl-8: fullUrl cannot be a version specific reference")
        if not isinstance(resource, dict):
            continue
        rtype, rid = resource.get("resourceType"), resource.get("id")
        if isinstance(full_url, str) and full_url.startswith(("http://", "https://")):
            m = REST_URL_RE.fullmatch(full_url)
            if m and m.group(1) == rtype and isinstance(rid, str) and m.group(2) != rid:
                _fail(
                    f"{epath}.fullUrl",
                    f"the fullUrl {full_url[:80]!r} looks like a RESTful URL, so it must end "
                    f"with the resource's type and id ({rtype}/{rid})",
                )
        if btype == "searchset":
            mode = (entry.get("search") or {}).get("mode")
            if mode == "outcome" and rtype != "OperationOutcome":
                _fail(epath, f"search mode 'outcome' needs an OperationOutcome, not a {rtype}")
            if (mode == "match" or rtype != "OperationOutcome") and not rid:
                _fail(f"{epath}.resource", "search results must have ids")
        if isinstance(full_url, str):
            meta = resource.get("meta")
            version = meta.get("versionId") if isinstance(meta, dict) else None
            same = by_url.setdefault(full_url, [])
            if any(v == version for _, v in same):
                _fail(
                    epath,
                    f"bdl-7: two entries have the fullUrl {full_url[:80]!r}"
                    + (f" and version {version!r}" if version else ""),
                )
            same.append((i, version))
    # References between entries: none may be ambiguous; in a document, all must resolve.
    if not by_url:
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            continue
        full_url = entry.get("fullUrl")
        base = None
        if isinstance(full_url, str):
            m = REST_URL_RE.fullmatch(full_url)
            if m and full_url.startswith(("http://", "https://")):
                base = full_url[: m.start(1)]
        for ref, rpath in _iter_refs(entry["resource"], f"{path}.entry[{i}].resource"):
            key = _rel_key(ref, base)
            if key is None:
                continue
            target, version = key
            matches = by_url.get(target)
            if matches is None:
                if btype == "document" and (base is not None or not SCHEME_RE.match(ref)):
                    _fail(rpath, f"{ref[:80]!r} is not in the document")
                continue
            if version is None:
                if len(matches) > 1:
                    _fail(rpath, f"{ref[:80]!r} matches {len(matches)} entries of the bundle")
            elif not any(v == version for _, v in matches) and btype == "document":
                _fail(rpath, f"{ref[:80]!r} (that version) is not in the document")


def _parameters(res: dict, path: str, opts: Options) -> None:
    """Relative references between the resources of a Parameters must resolve among them."""
    resources = []

    def collect(params, ppath):
        for i, p in enumerate(params or []):
            if not isinstance(p, dict):
                continue
            r = p.get("resource")
            if isinstance(r, dict):
                resources.append((r, f"{ppath}[{i}].resource"))
            collect(p.get("part"), f"{ppath}[{i}].part")

    collect(res.get("parameter"), f"{path}.parameter")
    known = {
        f"{r.get('resourceType')}/{r.get('id')}"
        for r, _ in resources
        if isinstance(r.get("id"), str)
    }
    if len(resources) < 2:
        return
    for r, rpath in resources:
        for ref, ref_path in _iter_refs(r, rpath):
            m = RELATIVE_REF_RE.fullmatch(ref)
            if m and ref.split("/_history/")[0] not in known:
                _fail(
                    ref_path, f"cannot resolve {ref[:80]!r} among the resources of the Parameters"
                )


def _risk_assessment(res: dict, path: str, opts: Options) -> None:
    for i, p in enumerate(res.get("prediction") or []):
        if not isinstance(p, dict):
            continue
        dec = p.get("probabilityDecimal")
        if isinstance(dec, int | float) and dec > 100:
            _fail(f"{path}.prediction[{i}]", "ras-2: probability must be <= 100")
        rng = p.get("probabilityRange")
        if isinstance(rng, dict):
            for side in ("low", "high"):
                q = rng.get(side)
                if isinstance(q, dict) and (
                    q.get("code") != "%" or q.get("system") != "http://unitsofmeasure.org"
                ):
                    _fail(
                        f"{path}.prediction[{i}].probabilityRange",
                        "ras-1: a probability range must be in percent (UCUM '%')",
                    )


_PROPERTY_VALUE = {
    "code": "valueCode",
    "Coding": "valueCoding",
    "string": "valueString",
    "integer": "valueInteger",
    "boolean": "valueBoolean",
    "dateTime": "valueDateTime",
    "decimal": "valueDecimal",
}


def _code_system(res: dict, path: str, opts: Options) -> None:
    if res.get("supplements") and res.get("content") != "supplement":
        _fail(f"{path}.content", "a CodeSystem supplement must have content 'supplement'")
    declared: dict[str, str] = {}
    uris = set()
    for i, prop in enumerate(res.get("property") or []):
        if not isinstance(prop, dict):
            continue
        code, uri = prop.get("code"), prop.get("uri")
        if code in declared:
            _fail(f"{path}.property[{i}]", f"the property {code!r} is defined twice")
        if uri is not None and uri in uris:
            _fail(f"{path}.property[{i}]", f"a property is already defined with the URI {uri!r}")
        uris.add(uri)
        declared[code] = prop.get("type")

    def concepts(items, cpath):
        for i, concept in enumerate(items or []):
            if not isinstance(concept, dict):
                continue
            for j, cprop in enumerate(concept.get("property") or []):
                if not isinstance(cprop, dict):
                    continue
                want = _PROPERTY_VALUE.get(declared.get(cprop.get("code")))
                if want and want not in cprop:
                    have = next((k for k in cprop if k.startswith("value")), "?")
                    _fail(
                        f"{cpath}[{i}].property[{j}]",
                        f"the property {cprop.get('code')!r} is declared as "
                        f"{declared[cprop.get('code')]} but has {have}",
                    )
            concepts(concept.get("concept"), f"{cpath}[{i}].concept")

    if declared:
        concepts(res.get("concept"), f"{path}.concept")


def _value_set(res: dict, path: str, opts: Options) -> None:
    compose = res.get("compose")
    if not isinstance(compose, dict):
        return
    for part in ("include", "exclude"):
        for i, inc in enumerate(compose.get(part) or []):
            if not isinstance(inc, dict):
                continue
            ipath = f"{path}.compose.{part}[{i}]"
            system = inc.get("system")
            if isinstance(system, str):
                problem = _uri_problem(system, "the system of a value set")
                if problem:
                    _fail(
                        f"{ipath}.system",
                        problem + " (to use a contained code system, give its full URL and the "
                        "valueset-system extension)",
                    )
            for j, concept in enumerate(inc.get("concept") or []):
                code = concept.get("code") if isinstance(concept, dict) else None
                if system == SNOMED and isinstance(code, str):
                    problem = _snomed_code_problem(code)
                    if problem:
                        _fail(f"{ipath}.concept[{j}]", problem)
            for j, flt in enumerate(inc.get("filter") or []):
                if not isinstance(flt, dict):
                    continue
                prop, op, value = flt.get("property"), flt.get("op"), flt.get("value")
                if not isinstance(value, str):
                    continue
                if (
                    prop in BOOLEAN_CONCEPT_PROPERTIES
                    and op == "="
                    and value
                    not in (
                        "true",
                        "false",
                    )
                ):
                    _fail(
                        f"{ipath}.filter[{j}]",
                        f"a filter on {prop!r} needs 'true' or 'false', not {value[:40]!r}",
                    )
                if system == SNOMED and prop == "concept" and op in SNOMED_CONCEPT_FILTER_OPS:
                    problem = _snomed_code_problem(value)
                    if problem:
                        _fail(f"{ipath}.filter[{j}]", problem)


TYPE_RULES = {
    "Bundle": _bundle,
    "Parameters": _parameters,
    "RiskAssessment": _risk_assessment,
    "CodeSystem": _code_system,
    "ValueSet": _value_set,
}

# R4 resources whose ``url`` is their canonical URL.
CANONICAL_TYPES = frozenset(
    {
        "ActivityDefinition",
        "CapabilityStatement",
        "ChargeItemDefinition",
        "CodeSystem",
        "CompartmentDefinition",
        "ConceptMap",
        "EffectEvidenceSynthesis",
        "EventDefinition",
        "Evidence",
        "EvidenceVariable",
        "ExampleScenario",
        "GraphDefinition",
        "ImplementationGuide",
        "Library",
        "Measure",
        "MessageDefinition",
        "NamingSystem",
        "OperationDefinition",
        "PlanDefinition",
        "Questionnaire",
        "ResearchDefinition",
        "ResearchElementDefinition",
        "RiskEvidenceSynthesis",
        "SearchParameter",
        "StructureDefinition",
        "StructureMap",
        "TerminologyCapabilities",
        "TestScript",
        "ValueSet",
    }
)
