"""The French calendar 2025, pinned with dated cases (records built from small FHIR bundles)."""

from datetime import date

from carnet.access.services import Actor
from carnet.reminders import services

from .bundles import CVX, SNOMED, Bundle, person


def _by_rule(user, pid, on):
    ov = services.overview(Actor.of_user(user), pid, on)
    found = {}
    for r in ov.of_kind("vaccination"):  # most pressing first
        found.setdefault(r.rule.split("/", 1)[1], r)
    return found, ov


def test_it_gives_an_infant_the_next_dose_of_each_series():
    b = Bundle(date(2025, 1, 10), "male")
    b.vaccine(date(2025, 3, 12), "J07CA09")  # hexavalent at 2 months
    b.vaccine(date(2025, 3, 12), "J07AL02")  # PCV at 2 months
    user, pid = person("infant@example.org", b)
    found, _ = _by_rule(user, pid, date(2025, 5, 20))  # 4 months and 10 days
    assert found["hexavalent"].status == "due" and found["hexavalent"].due == date(2025, 5, 10)
    assert "2e dose à 4 mois" in found["hexavalent"].title
    assert found["pcv-infant"].status == "due"
    assert found["menb-infant"].status == "overdue"  # 3 months: nothing given
    assert found["menb-infant"].due == date(2025, 4, 10)
    assert found["menacwy-infant"].status == "upcoming"
    assert found["menacwy-infant"].due == date(2025, 7, 10)
    assert found["mmr"].status == "upcoming" and found["mmr"].due == date(2026, 1, 10)
    assert "calendrier vaccinal 2025" in found["hexavalent"].why
    assert found["hexavalent"].source.startswith("Ministère chargé de la santé")
    assert found["hexavalent"].version == "2025"


def test_it_asks_a_25_year_old_for_the_dtcap_booster_and_counts_cvx_codes():
    b = Bundle(date(2000, 3, 1), "female")
    b.vaccine(date(2014, 5, 1), "115", CVX)  # Tdap at 14 (CVX, as in Synthea)
    b.vaccine(date(2001, 3, 1), "03", CVX)  # MMR
    b.vaccine(date(2001, 7, 1), "03", CVX)
    user, pid = person("adult25@example.org", b)
    found, _ = _by_rule(user, pid, date(2025, 6, 1))
    assert found["dtp-adult"].status == "due"
    assert found["dtp-adult"].due == date(2025, 3, 1)
    assert "dTcaP" in found["dtp-adult"].title
    assert found["mmr"].status == "done"
    assert "hpv" not in found  # past the catch-up age (19 years)
    # A year later it is overdue; given at 26 it is up to date and 45 comes next.
    found, _ = _by_rule(user, pid, date(2026, 4, 1))
    assert found["dtp-adult"].status == "overdue"


def test_it_follows_the_age_schedule_after_a_missed_booster():
    b = Bundle(date(1975, 6, 1), "male")
    b.vaccine(date(2000, 6, 1), "J07CA02")  # 25
    b.vaccine(date(2024, 1, 15), "J07CA01")  # 45 booster given late, at 48
    user, pid = person("late@example.org", b)
    ov = services.overview(Actor.of_user(user), pid, date(2025, 1, 1))
    dtp = [r for r in ov.of_kind("vaccination") if r.rule.endswith("dtp-adult")]
    assert [(r.status, r.due) for r in dtp] == [
        ("upcoming", date(2040, 6, 1)),  # 65, not ten years after the late dose
        ("done", date(2020, 6, 1)),
    ]


def test_it_gives_a_66_year_old_the_over_65_calendar():
    b = Bundle(date(1959, 2, 1), "male")
    b.vaccine(date(2004, 3, 1), "113", CVX)  # Td at 45
    b.vaccine(date(2025, 10, 20), "140", CVX)  # flu this autumn
    b.vaccine(date(2024, 4, 1), "J07BK03")  # shingles dose 1
    user, pid = person("senior@example.org", b)
    found, _ = _by_rule(user, pid, date(2025, 11, 15))
    assert found["dtp-adult"].status == "overdue" and found["dtp-adult"].due == date(2024, 2, 1)
    assert found["influenza-65"].status == "done"
    assert found["covid-65"].status == "due"
    assert found["pneumococcal-65"].status == "due"
    assert found["zoster-65"].status == "due" and found["zoster-65"].due == date(2024, 6, 1)
    assert "rsv-75" not in found
    # In spring the autumn vaccines are upcoming for the next campaign.
    found, _ = _by_rule(user, pid, date(2026, 4, 1))
    assert found["covid-65"].status == "upcoming" and found["covid-65"].due == date(2026, 10, 15)


def test_it_reminds_a_pregnant_woman_at_22_weeks():
    lmp = date(2025, 6, 9)
    b = Bundle(date(1994, 7, 9), "female")
    b.condition(date(2025, 6, 23), "72892002", SNOMED)
    b.observation(date(2025, 8, 20), "8665-2", valueDateTime=lmp.isoformat())
    user, pid = person("pregnant@example.org", b)
    on = date(2025, 11, 10)  # 22 weeks and 0 days
    found, _ = _by_rule(user, pid, on)
    assert found["pertussis-pregnancy"].status == "due"
    assert found["pertussis-pregnancy"].due == date(2025, 10, 27)  # 20 weeks
    assert found["influenza-pregnancy"].status == "due"  # flu season
    assert found["rsv-pregnancy"].status == "upcoming"  # 32 weeks falls in January
    assert found["rsv-pregnancy"].suggestion
    assert found["dtp-adult"].status == "overdue"  # no dTcaP at 25 in this record
