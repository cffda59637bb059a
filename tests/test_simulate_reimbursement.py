"""The reimbursement simulator: each case computed by hand from the reference sheet
(../shared/reference/remboursements-fr.md), asserting euros to the cent.

Reading a case: base × rate = what the Assurance Maladie (AMO) owes; minus the participation
forfaitaire (PF, 2 €; 4 € a day per professional; 50 € a year) or the franchise (1 € a box or
paramedical act, 4 € a transport; 4 € / 8 € a day; 50 € a year) = amo_pays; the
complementary pays (its % × base) − AMO's share before PF/franchise, never more than what is
left; patient_pays = fee − amo_pays − complementary_pays. Medicine prices and rates are those
of the BDPM copy Carnet ships (June 2022).
"""

from decimal import Decimal

import pytest
from django.utils import translation

from carnet.insurance import simulator


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


DAY = "2025-03-03"
ADULT = "1980-05-10"
# BDPM packs (CIP13, rate, price with the pharmacist's fee)
LEVOTHYROX_25 = "3400930065556"  # 65 %, 1.75 €
DOXAZOSINE = "3400921653663"  # 30 %, 6.71 €
POLYGYNAX = "3400921610550"  # 15 %, 3.65 €
LETROZOLE = "3400921636116"  # 100 %, 41.47 €


def simulate(*care, day=DAY, **person):
    who = {"birth_date": ADULT, "medecin_traitant": True} | person
    return simulator.as_json(simulator.run({"date": day, "person": who, "care": list(care)}))


def paid(result, index=0):
    line = result["care"][index]
    return line["amo_pays"], line["complementary_pays"], line["patient_pays"]


GP = {"kind": "consultation", "specialty": "general_practice", "sector": "1", "fee": 30}


# --- consultations, parcours de soins


def test_gp_with_medecin_traitant_and_a_complementary_at_100():
    # 30.00 × 70 % = 21.00 − PF 2.00 = 19.00; complementary 30.00 × 100 % − 21.00 = 9.00;
    # left 30.00 − 19.00 − 9.00 = 2.00 (the PF). The sheet's own worked example.
    assert paid(simulate(GP, complementary_percent=100)) == ("19.00", "9.00", "2.00")


def test_gp_without_medecin_traitant_and_no_complementary():
    # outside the parcours: 30.00 × 30 % = 9.00 − PF 2.00 = 7.00; left 30.00 − 7.00 = 23.00
    assert paid(simulate(GP, medecin_traitant=False)) == ("7.00", "0.00", "23.00")


def test_gp_without_medecin_traitant_with_a_complementary_at_100():
    # 9.00 − 2.00 = 7.00; complementary 30.00 − 9.00 = 21.00; left 30 − 7 − 21 = 2.00
    result = simulate(GP, medecin_traitant=False, complementary_percent=100)
    assert paid(result) == ("7.00", "21.00", "2.00")


def test_a_child_under_6_without_medecin_traitant():
    # under 6: base 35.00; under 18 so in the parcours: × 70 % = 24.50; no PF under 18;
    # complementary 35.00 − 24.50 = 10.50; left 0.00
    child = {"kind": "consultation", "fee": 35}
    result = simulate(
        child, birth_date="2021-01-15", medecin_traitant=False, complementary_percent=100
    )
    assert paid(result) == ("24.50", "10.50", "0.00")


def test_a_teenager_without_medecin_traitant_and_no_complementary():
    # 15 years old: base 30.00 × 70 % = 21.00, no PF (under 18); left 30.00 − 21.00 = 9.00
    assert paid(simulate(GP, birth_date="2009-06-01", medecin_traitant=False)) == (
        "21.00",
        "0.00",
        "9.00",
    )


def test_gp_teleconsultation():
    # base 26.50 × 70 % = 18.55 − PF 2.00 = 16.55; left 26.50 − 16.55 = 9.95
    tele = {"kind": "consultation", "teleconsultation": True, "fee": 26.5}
    assert paid(simulate(tele)) == ("16.55", "0.00", "9.95")


def test_gp_optam_fee_left_out_uses_the_tariff():
    # OPTAM GP, no fee given: fee = base 30.00; 21.00 − 2.00 = 19.00; left 11.00
    assert paid(simulate({"kind": "consultation", "sector": "optam"})) == ("19.00", "0.00", "11.00")


# --- pregnancy, ALD, CSS


def test_pregnancy_from_the_6th_month_is_paid_in_full_without_pf():
    # maternity: 30.00 × 100 % = 30.00, no PF from the 6th month; left 0.00 (even without MT)
    result = simulate(GP, medecin_traitant=False, pregnancy_month=6)
    assert paid(result) == ("30.00", "0.00", "0.00")


def test_pregnancy_in_the_5th_month_is_the_usual_rate():
    # 5th month: not yet: 30.00 × 70 % = 21.00 − 2.00 = 19.00; left 11.00
    assert paid(simulate(GP, pregnancy_month=5)) == ("19.00", "0.00", "11.00")


def test_pregnancy_month_7_medicine_at_30_is_paid_in_full_without_franchise():
    # 6.71 € pack at 30 % becomes 100 % from the 6th month: 6.71, no franchise; left 0.00
    med = {"kind": "medicine", "cip13": DOXAZOSINE, "boxes": 1}
    assert paid(simulate(med, pregnancy_month=7)) == ("6.71", "0.00", "0.00")


ENDO = {"kind": "consultation", "specialty": "endocrinology", "sector": "1", "fee": 50}


def test_specialist_visit_related_to_the_ald():
    # sector 1: the fee is the base, 50.00 × 100 % (ALD) = 50.00 − PF 2.00 = 48.00;
    # complementary 50.00 − 50.00 = 0.00; left 2.00 (PF still payable in ALD)
    care = ENDO | {"ald_related": True}
    assert paid(simulate(care, ald=True, complementary_percent=100)) == ("48.00", "0.00", "2.00")


def test_specialist_visit_not_related_to_the_ald():
    # 50.00 × 70 % = 35.00 − 2.00 = 33.00; complementary 50.00 − 35.00 = 15.00; left 2.00
    assert paid(simulate(ENDO, ald=True, complementary_percent=100)) == ("33.00", "15.00", "2.00")


def test_css_is_exempt_from_pf():
    # CSS, no MT: 30.00 × 30 % = 9.00, no PF; left 30.00 − 9.00 = 21.00
    assert paid(simulate(GP, medecin_traitant=False, css=True)) == ("9.00", "0.00", "21.00")


def test_css_is_exempt_from_franchises():
    # 2 boxes at 1.75 € and 65 %: 3.50 × 65 % = 2.275 → 2.28, no franchise; left 1.22
    med = {"kind": "medicine", "cip13": LEVOTHYROX_25, "boxes": 2}
    assert paid(simulate(med, css=True)) == ("2.28", "0.00", "1.22")


# --- sector 2 and OPTAM


def test_sector_2_specialist_with_excess_fees_and_a_complementary_at_100():
    # base 30.00 × 70 % = 21.00 − 2.00 = 19.00; complementary 30.00 − 21.00 = 9.00;
    # left 80.00 − 19.00 − 9.00 = 52.00 (50.00 of excess fees + 2.00 PF)
    care = {"kind": "consultation", "specialty": "cardiology", "sector": "2", "fee": 80, "base": 30}
    assert paid(simulate(care, complementary_percent=100)) == ("19.00", "9.00", "52.00")


def test_sector_2_specialist_with_a_complementary_at_200():
    # 19.00 from the AMO; complementary 30.00 × 200 % − 21.00 = 39.00; left 80 − 19 − 39 = 22.00
    care = {"kind": "consultation", "specialty": "cardiology", "sector": "2", "fee": 80, "base": 30}
    assert paid(simulate(care, complementary_percent=200)) == ("19.00", "39.00", "22.00")


def test_optam_specialist_with_a_complementary_at_150():
    # 30.00 × 70 % = 21.00 − 2.00 = 19.00; complementary 45.00 − 21.00 = 24.00; left 17.00
    care = {
        "kind": "consultation",
        "specialty": "dermatology",
        "sector": "optam",
        "fee": 60,
        "base": 30,
    }
    assert paid(simulate(care, complementary_percent=150)) == ("19.00", "24.00", "17.00")


def test_complementary_never_pays_more_than_what_is_left():
    # sector 2, fee 35, base 30, at 300 %: 90.00 − 21.00 = 69.00 but only 35 − 21 = 14.00
    # is left before the PF: complementary 14.00; AMO 19.00; left 2.00 (the PF)
    care = {"kind": "consultation", "specialty": "cardiology", "sector": "2", "fee": 35, "base": 30}
    assert paid(simulate(care, complementary_percent=300)) == ("19.00", "14.00", "2.00")


# --- medicines at each rate


def test_medicine_at_65_two_boxes():
    # 2 × 1.75 = 3.50 × 65 % = 2.275 → 2.28 − franchise 2 × 1.00 = 0.28; left 3.50 − 0.28 = 3.22
    med = {"kind": "medicine", "cip13": LEVOTHYROX_25, "boxes": 2}
    assert paid(simulate(med)) == ("0.28", "0.00", "3.22")


def test_medicine_at_30_with_a_complementary_at_100():
    # 6.71 × 30 % = 2.013 → 2.01 − 1.00 = 1.01; complementary 6.71 − 2.01 = 4.70; left 1.00
    med = {"kind": "medicine", "cip13": DOXAZOSINE}
    assert paid(simulate(med, complementary_percent=100)) == ("1.01", "4.70", "1.00")


def test_medicine_at_15_the_franchise_takes_all_the_amo_share():
    # 3.65 × 15 % = 0.5475 → 0.55; franchise 1.00 but no more than 0.55: AMO 0.00; left 3.65
    med = {"kind": "medicine", "cip13": POLYGYNAX}
    assert paid(simulate(med)) == ("0.00", "0.00", "3.65")


def test_medicine_at_100():
    # 41.47 × 100 % = 41.47 − 1.00 = 40.47; left 1.00
    med = {"kind": "medicine", "cip13": LETROZOLE}
    assert paid(simulate(med)) == ("40.47", "0.00", "1.00")


def test_medicine_by_rate_and_price_for_a_child():
    # 3 × 10.00 = 30.00 × 65 % = 19.50; under 18: no franchise; complementary 30 − 19.50 = 10.50
    med = {"kind": "medicine", "rate": 65, "price": 10, "boxes": 3}
    result = simulate(med, birth_date="2015-02-01", complementary_percent=100)
    assert paid(result) == ("19.50", "10.50", "0.00")


# --- caps of the participation forfaitaire and the franchises


def test_pf_yearly_cap_reached():
    # 50.00 € of PF already paid: none more. 30.00 × 70 % = 21.00; left 9.00
    result = simulate(GP, pf_paid_this_year=50)
    assert paid(result) == ("21.00", "0.00", "9.00")
    assert result["this_year"]["participation_forfaitaire"] == {"paid": "50.00", "cap": "50.00"}


def test_pf_yearly_cap_reached_on_the_way():
    # 49.00 paid: only 1.00 more. 21.00 − 1.00 = 20.00; left 10.00
    result = simulate(GP, pf_paid_this_year=49)
    assert paid(result) == ("20.00", "0.00", "10.00")
    assert result["this_year"]["participation_forfaitaire"]["paid"] == "50.00"


def test_pf_daily_cap_per_professional():
    # three lab tests at the same lab on one day, 10.00 each × 60 % = 6.00:
    # PF 2.00, 2.00, then 0.00 (4 € a day per professional) → AMO 4.00, 4.00, 6.00;
    # a fourth at another lab: PF again, 4.00. Left 6.00, 6.00, 4.00, 6.00.
    lab = {"kind": "lab", "fee": 10, "professional": "labo A"}
    other = {"kind": "lab", "fee": 10, "professional": "labo B"}
    result = simulate(lab, lab, lab, other)
    assert [paid(result, i) for i in range(4)] == [
        ("4.00", "0.00", "6.00"),
        ("4.00", "0.00", "6.00"),
        ("6.00", "0.00", "4.00"),
        ("4.00", "0.00", "6.00"),
    ]
    assert result["totals"] == {
        "fee": "40.00",
        "amo_pays": "18.00",
        "complementary_pays": "0.00",
        "patient_pays": "22.00",
    }


def test_franchise_daily_cap_for_paramedical_acts():
    # 5 nurse sessions at 10.00: 50.00 × 60 % = 30.00; franchise 5 × 1.00 capped at 4.00 a day
    # → 26.00, left 24.00; then physiotherapy 20.00 the same day: 12.00, the daily cap is
    # spent so no franchise; left 8.00
    nurse = {"kind": "nurse", "fee": 10, "sessions": 5}
    physio = {"kind": "physiotherapy", "fee": 20}
    result = simulate(nurse, physio)
    assert paid(result, 0) == ("26.00", "0.00", "24.00")
    assert paid(result, 1) == ("12.00", "0.00", "8.00")


def test_franchise_yearly_cap_reached_on_the_way():
    # 49.50 € of franchises paid: 2 boxes at 10.00 and 65 % = 13.00, franchise 0.50 (not 2.00)
    # → 12.50; left 20.00 − 12.50 = 7.50
    med = {"kind": "medicine", "rate": 65, "price": 10, "boxes": 2}
    result = simulate(med, franchises_paid_this_year="49.50")
    assert paid(result) == ("12.50", "0.00", "7.50")
    assert result["this_year"]["franchises"] == {"paid": "50.00", "cap": "50.00"}


def test_franchise_yearly_cap_already_reached():
    # 50.00 paid: 1.75 × 65 % = 1.1375 → 1.14, no franchise; left 0.61
    med = {"kind": "medicine", "cip13": LEVOTHYROX_25}
    assert paid(simulate(med, franchises_paid_this_year=50)) == ("1.14", "0.00", "0.61")


def test_transport_daily_cap():
    # 3 trips at 50.00 with the bill's rate 65 %: 150.00 × 65 % = 97.50; franchise 3 × 4.00 =
    # 12.00 capped at 8.00 a day → 89.50; left 60.50
    trip = {"kind": "transport", "fee": 50, "rate": 65, "trips": 3}
    assert paid(simulate(trip)) == ("89.50", "0.00", "60.50")


def test_physiotherapy_related_to_the_ald():
    # 16.13 × 100 % (ALD) = 16.13 − franchise 1.00 = 15.13; left 1.00
    physio = {"kind": "physiotherapy", "fee": "16.13", "ald_related": True}
    assert paid(simulate(physio, ald=True)) == ("15.13", "0.00", "1.00")


def test_a_hospital_day():
    # 1,000.00 × 80 % = 800.00, no PF or franchise; complementary 1000 − 800 = 200.00; left 0.00
    day = {"kind": "hospital_day", "fee": 1000}
    assert paid(simulate(day, complementary_percent=100)) == ("800.00", "200.00", "0.00")


def test_karim_endocrinologist_optam():
    # Karim, 52, médecin traitant, type 2 diabetes in ALD, complementary at 150 %:
    # OPTAM endocrinologist, fee 60.00, base 30.00, for his diabetes: 30.00 × 100 % = 30.00
    # − 2.00 = 28.00; complementary 45.00 − 30.00 = 15.00; left 60 − 28 − 15 = 17.00
    care = ENDO | {"sector": "optam", "fee": 60, "base": 30, "ald_related": True}
    result = simulate(care, birth_date="1973-09-02", ald=True, complementary_percent=150)
    assert paid(result) == ("28.00", "15.00", "17.00")
    assert result["totals"]["patient_pays"] == "17.00"


def test_each_step_names_its_rule_date_and_source():
    line = simulate(GP)["care"][0]
    cited = {s["rule"]: s for s in line["steps"] if "rule" in s}
    assert cited["consultation.gp.base"]["from"] == "2024-12-22"
    assert cited["pf.amount"]["from"] == "2024-05-15"
    assert cited["pf.amount"]["source"] == "décret 2024 (quechoisir.org)"
    # the sheet gives no start date for the 70 % rate: said so, not invented
    assert cited["rate.consultation.parcours"]["dated"] is False
    assert all(s["text"] for s in line["steps"])
    # every line adds up to its fee
    for key in ("amo_pays", "complementary_pays", "patient_pays"):
        assert Decimal(line[key]) >= 0
    assert sum(Decimal(line[k]) for k in ("amo_pays", "complementary_pays", "patient_pays")) == 30


@pytest.mark.parametrize("care", [GP, ENDO, {"kind": "medicine", "cip13": DOXAZOSINE}])
def test_lines_add_up_to_the_fee(care):
    line = simulate(care, complementary_percent=125)["care"][0]
    parts = sum(Decimal(line[k]) for k in ("amo_pays", "complementary_pays", "patient_pays"))
    assert parts == Decimal(line["fee"])
