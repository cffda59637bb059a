"""Practitioner directory benchmark: import of a generated extract and search, as ratios.

    python -m bench.directory                          # SQLite in a temporary data directory
    CARNET_BENCH_DIRECTORY_ROWS=200000 python -m bench.directory
    DATABASE_URL=postgres://... CARNET_KEYSTORE_URL=postgres://... python -m bench.directory

It writes a file in the real PS_LibreAcces_Personne_activite format (52 columns, header,
trailing "|", UTF-8; synthetic names from small lists, several activities for some
practitioners) into a temporary directory, then measures, in the same run:

  import        `directory.import_file` rows/s (executemany on SQLite, COPY into a
                temporary table then one upsert per batch on PostgreSQL) vs a plain csv
                parse of the same file and vs a raw executemany insert of the same rows
                into a table without index;
                peak memory growth, to show the import streams.
  search        median of several queries (name prefix; town + profession) through
                `directory.search` (page + total + "on Carnet") vs a stated limit (50 ms)
                and vs the same raw indexed SELECTs (page + count) in the same run; broad
                3-letter prefixes uncounted (the directory page) vs counted.

The default size (1,000,000 rows) is set by CARNET_BENCH_DIRECTORY_ROWS; CI never runs it.
From ``python -m bench``, ``run_in_suite(vendor)`` runs it only when that variable is set.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("CARNET_BENCH_DIRECTORY_ROWS") or 1_000_000)
SEARCH_LIMIT_MS = 50.0

LAST = """MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL
LEFÈVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU
VINCENT MÜLLER LEFEBVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER FRANÇOIS
LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON
MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY
RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTÍNEZ GÉRARD ROCHE RENARD SCHMITT ROY LEROUX
COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS
PIERRE BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LÓPEZ JEAN DUPUY GUILLOT
HUBERT BERGER CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY
ROYER KLEIN JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT CHARPENTIER MÉNARD
MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER FERNANDEZ LE-GALL COLLET LÉGER BOUVIER JULIEN PRÉVOST
MILLET PERROT DANIEL LE-ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS RÉMY LE-GOFF PELLETIER LÉVÊQUE
PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB MONNIER MICHAUD RODRIGUEZ
GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN CHAUVIN DA-SILVA BOUCHET GAY
LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET BARTHÉLEMY CORDIER PICHON LEJEUNE
GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE""".split()
FIRST = """Marie Jean Pierre Michel André Philippe René Louis Alain Jacques Bernard Marcel Daniel
Roger Robert Paul Claude Christian Henri Georges Nicolas François Patrick Gérard Christophe Joseph
Julien Éric Frédéric Laurent Stéphane David Pascal Olivier Thierry Sébastien Hélène Nathalie
Isabelle Sylvie Catherine Françoise Martine Christine Monique Valérie Sandrine Céline Chloé Léa
Zoé Anaïs Inès Maëlle Noémie Agnès Béatrice Cécile Élodie Émilie Jérôme Joël Loïc Gaëlle Aurélie
Mélanie Sophie Camille Manon Emma Lucie Pauline Julie Sarah Laura Marion Claire Anne Aline Odile
Yves Hervé Bruno Didier Dominique Vincent Antoine Mathieu Benoît Guillaume Rémi Théo Lucas Hugo
Arthur Adèle Rose Jeanne Louise Alice Léna Mathilde Élise Amélie Clémence Solène Margaux""".split()
PROFESSIONS = [
    ("10", "Médecin", 0.35),
    ("60", "Infirmier", 0.25),
    ("70", "Masseur-Kinésithérapeute", 0.1),
    ("21", "Pharmacien", 0.1),
    ("40", "Chirurgien-Dentiste", 0.06),
    ("50", "Sage-Femme", 0.03),
    ("91", "Orthophoniste", 0.03),
    ("94", "Ergothérapeute", 0.02),
    ("93", "Psychologue", 0.03),
    ("28", "Opticien-Lunetier", 0.03),
]
SPECIALTIES = [
    ("SM54", "Médecine Générale"),
    ("SM26", "Qualifié en Médecine Générale"),
    ("SM04", "Cardiologie et maladies vasculaires"),
    ("SM15", "Dermatologie et vénéréologie"),
    ("SM40", "Pédiatrie"),
    ("SM42", "Psychiatrie"),
    ("SM53", "Ophtalmologie"),
    ("SM19", "Gynécologie médicale"),
]
TOWNS = [
    ("75056", "Paris", "750"),
    ("13055", "Marseille", "130"),
    ("69123", "Lyon", "690"),
    ("31555", "Toulouse", "310"),
    ("06088", "Nice", "060"),
    ("44109", "Nantes", "440"),
    ("34172", "Montpellier", "340"),
    ("67482", "Strasbourg", "670"),
    ("33063", "Bordeaux", "330"),
    ("59350", "Lille", "590"),
    ("35238", "Rennes", "350"),
    ("51454", "Reims", "510"),
    ("42218", "Saint-Étienne", "420"),
    ("83137", "Toulon", "830"),
    ("38185", "Grenoble", "380"),
    ("21231", "Dijon", "210"),
    ("49007", "Angers", "490"),
    ("30189", "Nîmes", "300"),
    ("63113", "Clermont-Ferrand", "630"),
    ("01053", "Bourg-en-Bresse", "010"),
    ("01004", "Ambérieu-en-Bugey", "015"),
    ("81004", "Albi", "810"),
    ("81065", "Castres", "811"),
    ("64445", "Pau", "640"),
    ("29019", "Brest", "292"),
    ("87085", "Limoges", "870"),
    ("37261", "Tours", "370"),
    ("80021", "Amiens", "800"),
    ("66136", "Perpignan", "660"),
    ("57463", "Metz", "570"),
    ("25056", "Besançon", "250"),
    ("45234", "Orléans", "450"),
    ("14118", "Caen", "140"),
    ("68224", "Mulhouse", "681"),
    ("76540", "Rouen", "760"),
    ("54395", "Nancy", "540"),
    ("95018", "Argenteuil", "951"),
    ("93066", "Saint-Denis", "932"),
    ("97411", "Saint-Denis", "974"),
    ("2A004", "Ajaccio", "200"),
]
for _i in range(260):  # smaller communes, so that a town holds hundreds of listings, not 25,000
    TOWNS.append((f"{_i:05d}", f"Commune-{_i:03d}-sur-Lèze", f"{10 + _i % 85:02d}{_i % 10}"))


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A file in the extract's exact format: 52 columns, header, trailing "|", UTF-8."""
    from bench.__main__ import SHARED
    from carnet.care import directory

    sample = SHARED / "data" / "fr-reference" / "annuaire-sante"
    header_line = (sample / "PS_LibreAcces_Personne_activite_small.txt").open("rb").readline()
    HEADER = header_line.decode("utf-8").rstrip("\n").split("|")[:-1]  # noqa: N806
    rng = random.Random(seed)
    index = {key: HEADER.index(col) for key, col in directory.COLUMNS.items()}
    professions = [(code, label) for code, label, _ in PROFESSIONS]
    weights = [w for _, _, w in PROFESSIONS]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("|".join(HEADER) + "|\n")
        written = person = 0
        while written < rows:
            person += 1
            rpps = f"1{person:010d}"
            last, first = rng.choice(LAST), rng.choice(FIRST)
            code, label = rng.choices(professions, weights)[0]
            for activity in range(1 if rng.random() < 0.85 else 2):
                if written >= rows:
                    break
                cog, town, cp = rng.choice(TOWNS)
                cells = [""] * len(HEADER)
                spec = rng.choice(SPECIALTIES) if code == "10" else ("", "")
                values = {
                    "id_type": "8",
                    "identifier": rpps,
                    "national_id": "8" + rpps,
                    "civility": "Madame" if first.endswith("e") else "Monsieur",
                    "last_name": last,
                    "first_name": first,
                    "profession_code": code,
                    "profession": label,
                    "specialty_type": "S" if spec[0] else "",
                    "specialty_code": spec[0],
                    "specialty": spec[1],
                    "mode_code": "L" if activity == 0 else "S",
                    "practice_mode": "Libéral" if activity == 0 else "Salarié",
                    "structure_id": f"C{person:08d}{activity}",
                    "company": f"CABINET {last}",
                    "street_number": str(rng.randint(1, 200)),
                    "street_type": "Rue",
                    "street": "DE LA RÉPUBLIQUE",
                    "cedex": f"{cp}{rng.randint(0, 9):02d} {town.upper()}",
                    "postcode": f"{cp}{rng.randint(0, 9):02d}",
                    "town": town,
                    "phone": f"05{rng.randint(0, 99_999_999):08d}",
                }
                for key, value in values.items():
                    cells[index[key]] = value
                cells[HEADER.index("Code commune (coord. structure)")] = cog
                fh.write("|".join(cells) + "|\n")
                written += 1


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_import(path: Path, rows: int, vendor: str) -> None:
    from django.db import connection, transaction

    from bench.__main__ import line
    from carnet.care import directory

    t = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        parsed = sum(1 for _ in csv.reader(fh, delimiter="|", quoting=csv.QUOTE_NONE)) - 1
    csv_rate = parsed / (time.perf_counter() - t)

    # Raw floor: the same rows split and inserted with executemany, one transaction per
    # 5,000 rows, into a table with the same 52 text columns and no index.
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_directory_raw")
        cur.execute(
            "CREATE TABLE bench_directory_raw ("
            + ", ".join(f"c{i} VARCHAR(300)" for i in range(52))
            + ")"
        )
    sql = "INSERT INTO bench_directory_raw VALUES (" + ", ".join(["%s"] * 52) + ")"  # noqa: S608
    t = time.perf_counter()
    with path.open("rb") as fh:
        fh.readline()
        batch = []
        for raw in fh:
            batch.append(raw.decode("utf-8").rstrip("\n").split("|")[:52])
            if len(batch) == directory.BATCH:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
    raw_rate = rows / (time.perf_counter() - t)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_directory_raw")

    peak_before = _peak_mb()
    t = time.perf_counter()
    report = directory.import_file(path, "rpps")
    elapsed = time.perf_counter() - t
    rate = report.imported / elapsed
    growth = _peak_mb() - peak_before
    assert report.rejected == 0 and report.imported == rows, report
    print(
        f"import: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB, "
        f"{report.created:,} listings, {elapsed:.1f} s on {vendor}"
    )
    line("import (upsert, indexes)", rate, "rows/s", csv_rate, "plain csv parse, same file", None)
    line("import (upsert, indexes)", rate, "rows/s", raw_rate, "raw executemany, no index", None)
    # Bounded by the import's 128 MiB SQLite page cache and one batch, not by the file size.
    line("peak memory growth", growth, "MB", 256.0, "limit 256 MB, file-size free", "lower")

    t = time.perf_counter()
    again = directory.import_file(path, "rpps")
    rate2 = again.imported / (time.perf_counter() - t)
    assert again.created == 0
    line("re-import (all updates)", rate2, "rows/s", raw_rate, "raw executemany, no index", None)

    if vendor == "postgresql":
        # The same first import into an empty directory, with executemany instead of COPY.
        from carnet.care.models import DirectoryEntry

        DirectoryEntry.objects.all().delete()
        directory.COPY_ON_POSTGRESQL = False
        try:
            t = time.perf_counter()
            plain = directory.import_file(path, "rpps")
            plain_rate = plain.imported / (time.perf_counter() - t)
        finally:
            directory.COPY_ON_POSTGRESQL = True
        line("import with COPY", rate, "rows/s", plain_rate, "executemany upsert", "higher")


def _timings_ms(fn, queries, repeat: int = 3) -> tuple[float, float]:
    """(median, slowest) over ``repeat`` passes of every query, in ms."""
    for q in queries[:2]:
        fn(q)  # warm the cache as a running server would be
    samples = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, max(samples) * 1000


def bench_search() -> None:
    from django.db import connection

    from bench.__main__ import line
    from carnet.care import directory
    from carnet.care.models import DirectoryEntry

    rng = random.Random(2)
    table = connection.ops.quote_name(DirectoryEntry._meta.db_table)
    prefixes = [directory.fold(n)[:k] for n in rng.sample(LAST, 12) for k in (3, 6)]
    prefixes += [directory.fold(f"{rng.choice(FIRST)} {rng.choice(LAST)}")[:10] for _ in range(6)]
    pairs = [
        (rng.choice(TOWNS)[1], rng.choice(PROFESSIONS)[1]) for _ in range(12)
    ]  # big cities and small communes alike

    def service_name(p):
        return directory.search(q=p)

    def raw_name(p):
        hi = p[:-1] + chr(ord(p[-1]) + 1)
        where = (
            "(name_norm >= %s AND name_norm < %s) OR (name_rev_norm >= %s AND name_rev_norm < %s)"
        )
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", [p, hi, p, hi])  # noqa: S608
            cur.fetchone()
            cur.execute(
                f"SELECT * FROM {table} WHERE {where} ORDER BY name_norm, id LIMIT 20",  # noqa: S608
                [p, hi, p, hi],
            )
            return cur.fetchall()

    def service_town(pair):
        return directory.search(town=pair[0], profession=pair[1])

    def raw_town(pair):
        args = [directory.fold(pair[0]), directory.fold(pair[1])]
        where = "town_norm = %s AND profession_norm = %s"
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", args)  # noqa: S608
            cur.fetchone()
            cur.execute(
                f"SELECT * FROM {table} WHERE {where} ORDER BY name_norm, id LIMIT 20",  # noqa: S608
                args,
            )
            return cur.fetchall()

    totals = [directory.search(q=p).total for p in prefixes]
    print(
        f"search: {len(prefixes)} name prefixes (matching {min(totals):,}–{max(totals):,} "
        f"listings), {len(pairs)} town+profession pairs; median of 3 passes"
    )
    # The directory page does not count (fetches one row more than it shows): broad
    # 3-letter prefixes, counted vs not, in the same run.
    broad = [p for p in prefixes if len(p) == 3]
    counted, _w = _timings_ms(lambda p: directory.search(q=p, limit=30), broad)
    uncounted, _w = _timings_ms(lambda p: directory.search(q=p, limit=30, count=False), broad)
    line("3-letter prefix: page uncounted", uncounted, "ms", counted, "counted total", "lower")
    for label, fn, raw, queries in (
        ("name prefix", service_name, raw_name, prefixes),
        ("town + profession", service_town, raw_town, pairs),
    ):
        ms, worst = _timings_ms(fn, queries)
        raw_ms, raw_worst = _timings_ms(raw, queries)
        limit = f"limit {SEARCH_LIMIT_MS:.0f} ms"
        line(f"{label}: search() median", ms, "ms", SEARCH_LIMIT_MS, limit, "lower")
        line(f"{label}: search() median", ms, "ms", raw_ms, "raw indexed SELECT, same run", None)
        line(f"{label}: search() slowest", worst, "ms", SEARCH_LIMIT_MS, limit, "lower")
        line(f"{label}: search() slowest", worst, "ms", raw_worst, "raw, slowest, same run", None)


def run(vendor: str, rows: int = ROWS) -> None:
    """Generate, import and search ``rows`` listings in the database already set up."""
    print(
        f"Directory benchmark on {vendor}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="carnet-directory-") as tmp:
        path = Path(tmp) / "PS_LibreAcces_Personne_activite.txt"
        t = time.perf_counter()
        generate(path, rows)
        print(f"generated {rows:,} rows in {time.perf_counter() - t:.1f} s")
        bench_import(path, rows, vendor)
    bench_search()


def run_in_suite(vendor: str) -> None:
    """From ``python -m bench``: only when CARNET_BENCH_DIRECTORY_ROWS asks for it (slow)."""
    if os.environ.get("CARNET_BENCH_DIRECTORY_ROWS"):
        run(vendor)
    else:
        print("directory: skipped (set CARNET_BENCH_DIRECTORY_ROWS, e.g. 1000000)")


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # figures show as they come, even in a file
    from bench.__main__ import setup

    run(setup())
    return 0


if __name__ == "__main__":
    sys.exit(main())
