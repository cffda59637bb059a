"""Property: whatever the person shares and hides, the practitioner's pages show exactly the
items an independent model of the grant allows — on the timeline, on the summary, by item.

The model is written here from the rules as the person reads them on the sharing page (a
kind of item, a sensitivity level, "only me" / "only my médecin traitant"), not from
``access.policy``.
"""

from __future__ import annotations

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.access import grants, masks
from carnet.access.services import Actor

from .access_records import record_with_items
from .fuzzing import examples
from .people import citizen, english, pro
from .pro_record import url

# Each item of ``record_with_items``: its kind and how sensitive it is.
MODEL = {
    "diabetes": ("problems", "N"),
    "depression": ("problems", "R"),  # mental health
    "hiv_test": ("results", "R"),  # sexual health
    "glucose": ("results", "N"),
    "knee": ("measurements", "N"),
    "blood_group": ("results", "N"),
    "allergy": ("problems", "N"),
    "insulin": ("treatments", "N"),
    "flu_vaccine": ("vaccines", "N"),
    "secret_note": ("results", "V"),
}
KINDS = sorted({kind for kind, _level in MODEL.values()})
LEVELS = "NRV"


def expected(kinds: set[str], level: str, hidden: dict[str, str]) -> set[str]:
    return {
        name
        for name, (kind, sensitivity) in MODEL.items()
        if kind in kinds
        and LEVELS.index(sensitivity) <= LEVELS.index(level)
        and hidden.get(name, "care_team") == "care_team"
    }


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.sets(st.sampled_from(KINDS), min_size=1),
    level=st.sampled_from(LEVELS),
    hidden=st.dictionaries(st.sampled_from(sorted(MODEL)), st.sampled_from(["self", "referent"])),
)
def test_the_pages_show_exactly_what_the_grant_allows(kinds, level, hidden):
    owner, pid, made = record_with_items(citizen())
    gp = pro()
    me = Actor.of_user(owner)
    grants.share(me, pid, gp.pk, categories=sorted(kinds), max_level=level, duration="month")
    for name, audience in hidden.items():
        masks.set_mask(me, pid, *made[name], audience=audience)
    client = english(Client())
    client.force_login(gp)
    want = expected(kinds, level, hidden)
    timeline = client.get(url("timeline", pid)).content.decode()
    summary = client.get(url("record", pid)).content.decode()
    shown = {name for name in MODEL if url("item", pid, made[name][1]) in timeline}
    assert shown == want
    for name in MODEL:
        if name not in want:
            assert made[name][1] not in summary, name
    # One item the model hides, if any, is not found by its address either.
    refused = sorted(set(MODEL) - want)
    if refused:
        assert client.get(url("item", pid, made[refused[0]][1])).status_code == 404
    if want:
        assert client.get(url("item", pid, made[sorted(want)[0]][1])).status_code == 200
