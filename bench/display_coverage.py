"""How much of the shared Synthea data Carnet's display table names in French.

    python -m bench.display_coverage                 # CARNET_SHARED_DIR, default ../shared

Prints, over every bundle of ``$CARNET_SHARED_DIR/data/synthea``:

- the table: how many distinct codes it covers (``records/data/displays.tsv``), by system;
- codes: how many distinct codes the bundles' items carry (what they are, their value, their
  components) and how many of those the table names;
- items: what share of the bundles' items (bills, identities and directories left out) the
  table names in French — their title comes from the table, not from the file's English;
- the most frequent codes it does not name yet.

The pages themselves (home, timeline, item pages, summary PDF of every bundle, in French and
English, with no raw unit, no English label where the table names the code, every chart
parsing) are checked by the optional long test::

    CARNET_SHARED_DIR=../shared pytest -q tests/test_read_imported_record_in_plain_words.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CARNET_SHARED_DIR") or ROOT.parent / "shared")
# Not clinical items: nothing a person reads as « what it is ».
LEFT_OUT = {"Claim", "ExplanationOfBenefit", "Patient", "Organization", "Practitioner"}


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    os.environ.setdefault("CARNET_DATA_DIR", tempfile.mkdtemp(prefix="carnet-coverage-"))
    import django

    django.setup()


def _codings(resource: dict):
    from carnet.records import words

    for name in (*words.TITLE_FIELDS, "valueCodeableConcept"):
        value = resource.get(name)
        for concept in value if isinstance(value, list) else [value]:
            if isinstance(concept, dict):
                yield from concept.get("coding") or []
    for comp in resource.get("component") or []:
        for name in ("code", "valueCodeableConcept"):
            yield from (comp.get(name) or {}).get("coding") or []


def coverage(bundles: list[Path]) -> dict:
    from django.utils import translation

    from carnet.records import words

    seen: Counter = Counter()
    displays: dict = {}
    items = named = 0
    unnamed: Counter = Counter()
    by_type: dict[str, list[int]] = {}
    with translation.override("fr"):
        for path in bundles:
            for entry in json.loads(path.read_text())["entry"]:
                r = entry["resource"]
                if r["resourceType"] in LEFT_OUT:
                    continue
                for c in _codings(r):
                    if c.get("code"):
                        key = (words.SHORT.get(c.get("system") or "", c.get("system")), c["code"])
                        seen[key] += 1
                        displays.setdefault(key, c.get("display") or "")
                title = words.title(r)
                ok = bool(title) and title.named
                items += 1
                named += ok
                counts = by_type.setdefault(r["resourceType"], [0, 0])
                counts[0] += 1
                counts[1] += ok
                if not ok:
                    unnamed[(r["resourceType"], str(title))] += 1
    covered = {k for k in seen if words.table().get(k)}
    return {
        "bundles": len(bundles),
        "table_codes": len(words.table()),
        "table_by_system": Counter(s for s, _c in words.table()),
        "distinct_codes": len(seen),
        "distinct_codes_named": len(covered),
        "codings": sum(seen.values()),
        "codings_named": sum(n for k, n in seen.items() if k in covered),
        "items": items,
        "items_named": named,
        "by_type": by_type,
        "unnamed": unnamed.most_common(15),
    }


def main() -> int:
    bundles = sorted((SHARED / "data" / "synthea").glob("*.json"))
    if not bundles:
        print(f"no Synthea bundle under {SHARED}/data/synthea (set CARNET_SHARED_DIR)")
        return 1
    _setup()
    c = coverage(bundles)
    share = c["items_named"] / c["items"]
    print(f"display table: {c['table_codes']} distinct codes", dict(c["table_by_system"]))
    print(
        f"Synthea ({c['bundles']} bundles): {c['distinct_codes_named']} of "
        f"{c['distinct_codes']} distinct codes named "
        f"({c['distinct_codes_named'] / c['distinct_codes']:.1%}); "
        f"{c['codings_named']} of {c['codings']} codings ({c['codings_named'] / c['codings']:.1%})"
    )
    print(
        f"items named in French: {c['items_named']} of {c['items']} ({share:.1%}) "
        f"[limit: 0.95 → ratio {share / 0.95:.2f}]"
    )
    for rtype, (n, ok) in sorted(c["by_type"].items(), key=lambda kv: -kv[1][0]):
        print(f"  {rtype:<20} {ok:>5} / {n:<5} {ok / n:.1%}")
    if c["unnamed"]:
        print(
            "not named by the table (shown as the file wrote them; a code Carnet does not know is marked « texte d'origine »):"
        )
        for (rtype, title), n in c["unnamed"]:
            print(f"  {n:>4}  {rtype}: {title or '(no title)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
