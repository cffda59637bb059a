"""Plain words for the kinds of things a health record holds.

FHIR resource types mean nothing to most people; the interface groups them under words a
non-doctor understands. The order is the order of the summary on the home page.
"""

from django.utils.translation import gettext_lazy as _

KINDS = [
    ("results", _("Results and measurements"), {"Observation", "DiagnosticReport"}),
    ("conditions", _("Health problems"), {"Condition"}),
    (
        "treatments",
        _("Treatments"),
        {"MedicationRequest", "MedicationStatement", "MedicationAdministration", "Medication"},
    ),
    ("vaccines", _("Vaccines"), {"Immunization"}),
    ("allergies", _("Allergies"), {"AllergyIntolerance"}),
    ("visits", _("Visits and hospital stays"), {"Encounter"}),
    ("procedures", _("Procedures and operations"), {"Procedure"}),
    ("imaging", _("Medical imaging"), {"ImagingStudy"}),
    ("documents", _("Documents"), {"DocumentReference", "Media", "Binary"}),
    ("care_plans", _("Care plans and goals"), {"CarePlan", "Goal", "CareTeam"}),
    ("family", _("Family history"), {"FamilyMemberHistory"}),
    ("devices", _("Medical devices"), {"Device", "DeviceRequest", "DeviceUseStatement"}),
    ("billing", _("Bills and reimbursements"), {"Claim", "ExplanationOfBenefit", "Coverage"}),
    ("supplies", _("Medical supplies"), {"SupplyDelivery", "SupplyRequest"}),
]
# Not listed: the person's own identity card and the technical trail of where data came from.
HIDDEN = {"Patient", "Provenance", "AuditEvent"}
OTHER = ("other", _("Other information"))

_KIND_OF = {rtype: key for key, _label, types in KINDS for rtype in types}


def summarise(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """``{"Observation": 12, …}`` -> ``[("results", "Résultats et mesures", 12), …]``.

    Kinds with nothing in them are left out; unknown types fall under "Other information".
    """
    totals: dict[str, int] = {}
    for rtype, n in counts.items():
        if rtype in HIDDEN or not n:
            continue
        key = _KIND_OF.get(rtype, OTHER[0])
        totals[key] = totals.get(key, 0) + n
    ordered = [(key, label) for key, label, _types in KINDS] + [OTHER]
    return [(key, str(label), totals[key]) for key, label in ordered if key in totals]
