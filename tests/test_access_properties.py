"""Property-based tests: random sequences of grants, revocations, proxies, emergencies and
masks, checked after each step against a tiny model written independently of the policy.

Invariants: nothing is visible without a live grant, referent role, proxy or emergency;
masked items never leak, through $everything, counts, searches or single reads;
revocation is immediate; every access (permit and deny) is in the history; the hash
chain verifies at the end.
"""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from carnet.access import audit, emergency, grants, masks, proxies
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound
from carnet.records import services

from .access_records import record_with_items
from .fuzzing import examples
from .people import citizen, practitioner

# The model's own table of the test items: category, level, in the emergency dataset.
# Written by hand from the clinical meaning, not computed by carnet.access.labels.
ITEMS = {
    "patient": ("identity", "N", True),
    "diabetes": ("problems", "N", True),
    "depression": ("problems", "R", True),  # mental health
    "hiv_test": ("results", "R", False),  # HIV test
    "glucose": ("results", "N", False),
    "knee": ("measurements", "N", False),
    "blood_group": ("results", "N", True),
    "allergy": ("problems", "N", True),
    "insulin": ("treatments", "N", True),
    "flu_vaccine": ("vaccines", "N", False),
    "secret_note": ("results", "V", False),
}
NAMES = sorted(ITEMS)
CATS = ["problems", "results", "measurements", "treatments", "vaccines"]
LEVELS = "NRV"
N_PRACT, N_REL = 3, 2


class Coffre(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.owner, self.pid, self.made = record_with_items()
        self.me = Actor.of_user(self.owner)
        self.practs = [practitioner(f"Dr P{i}") for i in range(N_PRACT)]
        self.rels = [citizen() for i in range(N_REL)]
        # The model.
        self.grants: dict[int, tuple[frozenset, str, int]] = {}  # practitioner -> (cats, level, id)
        self.referent: int | None = None
        self.proxies: dict[int, tuple[str, int]] = {}  # relative -> (level, id)
        self.emergency: set[int] = set()
        self.refused = False
        self.masks: dict[str, tuple[str, bool]] = {}
        self.entries = AuditEntry.objects.filter(patient_id=self.pid).count()

    # --- the model's answer ---------------------------------------------------------------

    def expected(self, who: str, i: int) -> set[str]:
        out = set()
        for name, (cat, level, in_set) in ITEMS.items():
            audience, no_emergency = self.masks.get(name, ("care_team", False))
            if who == "p" and i in self.emergency and not self.refused:
                ok = audience != "self" and not no_emergency
                ok = ok and (in_set or (audience != "referent" and level != "V"))
            elif who == "p" and self.referent == i:
                ok = audience != "self"
            elif who == "p" and i in self.grants:
                cats, max_level, _id = self.grants[i]
                ok = audience == "care_team" and LEVELS.index(level) <= LEVELS.index(max_level)
                ok = ok and (cat == "identity" or cat in cats)
            elif who == "r" and i in self.proxies:
                max_level = self.proxies[i][0]
                ok = audience == "care_team" and LEVELS.index(level) <= LEVELS.index(max_level)
            else:
                ok = False
            if ok:
                out.add(name)
        return out

    def actor(self, who, i):
        return Actor.of_user(self.practs[i] if who == "p" else self.rels[i])

    # --- rules ---------------------------------------------------------------------------

    @rule(
        i=st.integers(0, N_PRACT - 1),
        cats=st.sets(st.sampled_from(CATS), min_size=1),
        level=st.sampled_from(LEVELS),
    )
    def share(self, i, cats, level):
        g = grants.share(
            self.me, self.pid, self.practs[i].pk, categories=cats, max_level=level, duration="month"
        )
        self.grants[i] = (frozenset(cats), level, g.pk)
        self.entries += 1

    @rule(i=st.integers(0, N_PRACT - 1))
    def name_referent(self, i):
        grants.set_referent(self.me, self.pid, self.practs[i].pk)
        self.referent = i
        self.entries += 1

    @rule(i=st.integers(0, N_PRACT - 1))
    def revoke(self, i):
        if i in self.grants:
            assert grants.revoke(self.me, self.pid, self.grants.pop(i)[2])
            self.entries += 1

    @rule()
    def revoke_everyone(self):
        grants.revoke_all(self.me, self.pid)
        self.grants.clear()
        self.referent = None
        self.emergency.clear()
        self.proxies.clear()
        self.entries += 1

    @rule(i=st.integers(0, N_REL - 1), level=st.sampled_from(LEVELS))
    def add_proxy(self, i, level):
        p = proxies.add_proxy(self.me, self.pid, self.rels[i].pk, max_level=level)
        self.proxies[i] = (level, p.pk)
        self.entries += 1

    @rule(i=st.integers(0, N_REL - 1))
    def revoke_proxy(self, i):
        if i in self.proxies:
            assert proxies.revoke_proxy(self.me, self.pid, self.proxies.pop(i)[1])
            self.entries += 1

    @rule(i=st.integers(0, N_PRACT - 1))
    def break_glass(self, i):
        try:
            emergency.break_glass(self.actor("p", i), self.pid, "unconscious")
            assert not self.refused
            self.emergency.add(i)
        except NotFound:
            assert self.refused
        self.entries += 1

    @rule(refuse=st.booleans())
    def refuse(self, refuse):
        emergency.set_refusal(self.me, self.pid, refuse)
        self.refused = refuse
        if refuse:
            self.emergency.clear()
        self.entries += 1

    @rule(
        name=st.sampled_from(NAMES),
        audience=st.sampled_from(["care_team", "referent", "self"]),
        no_emergency=st.booleans(),
    )
    def mask(self, name, audience, no_emergency):
        masks.set_mask(
            self.me, self.pid, *self.made[name], audience=audience, hide_in_emergency=no_emergency
        )
        self.masks[name] = (audience, no_emergency)
        self.entries += 1

    @rule(who=st.sampled_from("pr"), i=st.integers(0, 1), name=st.sampled_from(NAMES))
    def read_one(self, who, i, name):
        actor = self.actor(who, i)
        rtype, fid = self.made[name]
        try:
            services.read(actor, rtype, fid, services.self_purpose(actor, self.pid))
            seen = True
        except NotFound:
            seen = False
        assert seen == (name in self.expected(who, i)), (who, i, name)
        self.entries += 1

    # --- invariants, after every step ----------------------------------------------------

    @invariant()
    def everyone_sees_exactly_the_model(self):
        by_id = {v: k for k, v in self.made.items()}
        for who, n in (("p", N_PRACT), ("r", N_REL)):
            for i in range(n):
                actor = self.actor(who, i)
                want = self.expected(who, i)
                purpose = services.self_purpose(actor, self.pid)
                try:
                    found = services.everything(actor, self.pid, purpose)
                    got = {by_id[(r["resourceType"], r["id"])] for r in found}
                except NotFound:
                    got = set()
                self.entries += 1
                assert got == want, (who, i, got ^ want)
                try:
                    counts = services.count_by_type(actor, self.pid, purpose)
                except NotFound:
                    counts = {}
                self.entries += 1
                assert sum(counts.values()) == len(want)
        # A search for the mental-health code never reveals it to a practitioner who may
        # not see it (total and entries alike).
        actor = self.actor("p", 0)
        try:
            page = services.search(
                actor,
                self.pid,
                "Condition",
                services.self_purpose(actor, self.pid),
                code=["35489007"],
            )
            total = page.total
        except NotFound:
            total = 0
        self.entries += 1
        assert total == (1 if "depression" in self.expected("p", 0) else 0)

    @invariant()
    def every_access_is_in_the_history(self):
        assert AuditEntry.objects.filter(patient_id=self.pid).count() == self.entries

    def teardown(self):
        assert audit.verify_chain(self.pid)[1] is None


def test_the_coffre_keeps_its_promises():
    run_state_machine_as_test(
        Coffre,
        settings=settings(
            max_examples=examples(100),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
