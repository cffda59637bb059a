"""Property-based tests: random sequences of grants, revocations, proxies, emergencies and
masks, checked after each step against a tiny model written independently of the policy.

Invariants: nothing is visible without a live grant, referent role, proxy or emergency;
masked items never leak, through $everything, counts, searches or single reads;
revocation is immediate; every access (permit and deny) is in the history; the hash
chain verifies at the end. A relative acting for the person opens any page of the menu:
it is about the person's record when the proxy is live and gives the permission the page
needs, a plain refusal (403) when it does not, their own space once it has ended — never
their own record under the person's banner, and what they do is recorded as done by them
for the person.
"""

from __future__ import annotations

import json
import uuid

import hypothesis.strategies as st
import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from carnet.access import acting, audit, emergency, grants, history, masks, minors, proxies
from carnet.access.models import AuditEntry
from carnet.access.services import Actor, NotFound, Purpose
from carnet.accounts import services as accounts
from carnet.records import services
from carnet.vault import services as vault

from .access_records import items, record_with_items
from .acting import MENU
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
PERMISSIONS = ["read", "appointments", "messages", "manage"]
PASSWORD = "a long enough passphrase"


class Coffre(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.owner, self.pid, self.made = record_with_items()
        self.me = Actor.of_user(self.owner)
        self.practs = [practitioner(f"Dr P{i}") for i in range(N_PRACT)]
        self.rels = [citizen() for i in range(N_REL)]
        self.clients: dict[int, Client] = {}  # made the first time a relative opens a page
        # The model.
        self.grants: dict[int, tuple[frozenset, str, int]] = {}  # practitioner -> (cats, level, id)
        self.referent: int | None = None
        # relative -> (level, id, permissions)
        self.proxies: dict[int, tuple[str, int, frozenset]] = {}
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
            elif who == "r" and i in self.proxies and "read" in self.proxies[i][2]:
                max_level = self.proxies[i][0]
                ok = audience == "care_team" and LEVELS.index(level) <= LEVELS.index(max_level)
            else:
                ok = False
            if ok:
                out.add(name)
        return out

    def _relative_client(self, i, rel) -> Client:
        """The relative's browser, signed in and confirmed; their own record holds a marker."""
        rel.set_password(PASSWORD)
        rel.save()
        own = accounts.patient_of(rel).pk
        services.create(
            Actor.of_user(rel),
            own,
            {"resourceType": "Patient", "name": [{"family": f"Relmarker{i}"}]},
            Purpose.SELF,
        )
        client = Client()
        client.force_login(rel)
        assert (
            client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code
            == 302
        )
        return client

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

    @rule(
        i=st.integers(0, N_REL - 1),
        level=st.sampled_from(LEVELS),
        permissions=st.sets(st.sampled_from(PERMISSIONS), min_size=1),
    )
    def add_proxy(self, i, level, permissions):
        p = proxies.add_proxy(
            self.me, self.pid, self.rels[i].pk, max_level=level, permissions=sorted(permissions)
        )
        self.proxies[i] = (level, p.pk, frozenset(permissions))
        self.entries += 1

    @rule(i=st.integers(0, N_REL - 1), page=st.sampled_from(MENU))
    def relative_opens_a_page_acting_for_the_person(self, i, page):
        name, need = page
        rel = self.rels[i]
        if i not in self.clients:
            self.clients[i] = self._relative_client(i, rel)
        client = self.clients[i]
        session = client.session
        session[acting.SESSION_KEY] = {"patient_id": self.pid, "name": "Durand"}
        session.save()
        ours = AuditEntry.objects.filter(patient_id=self.pid)
        last = ours.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(reverse(name))
        body = response.content.decode()
        new = list(ours.filter(pk__gt=last).values("actor_id", "purpose", "decision"))
        if i in self.proxies:
            assert "acting-banner" in body, name
            assert f"Relmarker{i}" not in body, f"{name}: the relative's own record"
            if need is None or need in self.proxies[i][2]:
                assert response.status_code == 200, (name, need, response.status_code)
            else:
                assert response.status_code == 403, (name, need, response.status_code)
                assert not [e for e in new if e["decision"] == "permit"], name
            # What they did there is in the person's history, as done by them for the person.
            assert all(e["actor_id"] == rel.pk and e["purpose"] == "proxy" for e in new), new
        else:
            # No live proxy: back in their own space, nothing of the person read.
            assert "acting-banner" not in body, name
            assert not new, (name, new)
        self.entries += len(new)

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


@override_settings(ACCOUNT_REAUTHENTICATION_TIMEOUT=3600)
def test_the_coffre_keeps_its_promises():
    run_state_machine_as_test(
        Coffre,
        settings=settings(
            max_examples=examples(40),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# --- A minor's secret -------------------------------------------------------------------------
#
# Lina's record, made by her mother when Lina was small; Lina is 16 now. Her médecin traitant
# (named by her mother) marks items « confidentiel vis-à-vis des parents »; Lina may get a
# login of her own and mark others; her mother may give a relative a proxy and change who
# sees items. The model: a parent, and any proxy while a parent's authority lasts, never
# sees an item kept from the parents, whoever marked it; Lina and her doctor do.

MARKABLE = [n for n in NAMES if n != "patient"]


class MinorsSecret(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        today = timezone.localdate()
        self.mum = citizen("mum")
        self.mum_actor = Actor.of_user(self.mum)
        self.pid = proxies.add_child(
            self.mum, today.replace(year=today.year - 16, day=min(today.day, 28))
        ).pk
        patient = services.create(
            self.mum_actor,
            self.pid,
            {"resourceType": "Patient", "name": [{"family": "Esquirol", "given": ["Lina"]}]},
            Purpose.PROXY,
        )
        self.made = {"patient": ("Patient", patient["id"])}
        for name, res in items(f"Patient/{patient['id']}").items():
            r = services.create(self.mum_actor, self.pid, res, Purpose.PROXY)
            self.made[name] = (r["resourceType"], r["id"])
        self.doc = practitioner("lina")
        grants.set_referent(self.mum_actor, self.pid, self.doc.pk)
        self.rel = citizen("granny")
        self.teen = None
        # The model.
        self.hidden: set[str] = set()  # kept from the parents
        self.audience: dict[str, str] = {}
        self.rel_level: str | None = None

    def actors(self) -> dict[str, Actor]:
        out = {"mum": self.mum_actor, "doc": Actor.of_user(self.doc)}
        out["rel"] = Actor.of_user(self.rel)
        if self.teen is not None:
            out["teen"] = Actor.of_user(self.teen)
        return out

    def expected(self, who: str) -> set[str]:
        out = set()
        for name, (_cat, level, _in_set) in ITEMS.items():
            audience = self.audience.get(name, "care_team")
            if who == "teen":
                ok = True
            elif who == "doc":
                ok = audience != "self"
            elif who == "mum":
                ok = audience == "care_team" and name not in self.hidden
            elif who == "rel" and self.rel_level is not None:
                ok = audience == "care_team" and name not in self.hidden
                ok = ok and LEVELS.index(level) <= LEVELS.index(self.rel_level)
            else:
                ok = False
            if ok:
                out.add(name)
        return out

    @rule(name=st.sampled_from(MARKABLE), confidential=st.booleans())
    def doctor_marks(self, name, confidential):
        masks.keep_from_parents(
            Actor.of_user(self.doc), self.pid, *self.made[name], confidential=confidential
        )
        (self.hidden.add if confidential else self.hidden.discard)(name)

    @rule()
    def lina_gets_her_login(self):
        if self.teen is None:
            token = minors.invite(
                self.mum_actor, self.pid, f"lina-{uuid.uuid4().hex[:12]}@example.org"
            )
            self.teen = minors.accept(token, "Un mot de passe assez long 2026")

    @rule(name=st.sampled_from(MARKABLE), confidential=st.booleans())
    def lina_marks(self, name, confidential):
        if self.teen is None:
            return
        masks.keep_from_parents(
            Actor.of_user(self.teen), self.pid, *self.made[name], confidential=confidential
        )
        (self.hidden.add if confidential else self.hidden.discard)(name)

    @rule(
        name=st.sampled_from(MARKABLE),
        audience=st.sampled_from(["care_team", "referent", "self"]),
    )
    def mum_tries_to_change_it(self, name, audience):
        with pytest.raises(NotFound):
            masks.keep_from_parents(self.mum_actor, self.pid, *self.made[name], confidential=False)
        try:
            masks.set_mask(self.mum_actor, self.pid, *self.made[name], audience=audience)
            assert name not in self.hidden, name
            self.audience[name] = audience
        except NotFound:
            assert name in self.hidden, name

    @rule(level=st.sampled_from(LEVELS))
    def mum_gives_granny_a_proxy(self, level):
        proxies.add_proxy(self.mum_actor, self.pid, self.rel.pk, max_level=level)
        self.rel_level = level

    @rule(who=st.sampled_from(["mum", "rel", "doc", "teen"]), name=st.sampled_from(NAMES))
    def read_one(self, who, name):
        actor = self.actors().get(who)
        if actor is None:
            return
        try:
            services.read(actor, *self.made[name], services.self_purpose(actor, self.pid))
            seen = True
        except NotFound:
            seen = False
        assert seen == (name in self.expected(who)), (who, name)

    @invariant()
    def everyone_sees_exactly_the_model(self):
        by_id = {v: k for k, v in self.made.items()}
        for who, actor in self.actors().items():
            purpose = services.self_purpose(actor, self.pid)
            try:
                found = services.everything(actor, self.pid, purpose)
                got = {
                    by_id[(r["resourceType"], r["id"])]
                    for r in found
                    if (r["resourceType"], r["id"]) in by_id
                }
            except NotFound:
                got = set()
            want = self.expected(who)
            assert got == want, (who, got ^ want)
            try:
                counts = services.count_by_type(actor, self.pid, purpose)
            except NotFound:
                counts = {}
            assert sum(counts.values()) == len(want), who

    @invariant()
    def the_mothers_history_names_no_hidden_item(self):
        hidden = {"/".join(self.made[n]) for n in self.hidden}
        if not hidden:
            return
        shown = history.page(self.mum_actor, self.pid, history.Filters(include_own=True))
        seqs = [e.seq for e in shown.entries + shown.flagged]
        c = vault.cipher(self.pid)
        for blob in AuditEntry.objects.filter(patient_id=self.pid, seq__in=seqs).values_list(
            "details", flat=True
        ):
            what = json.loads(c.decrypt(bytes(blob), "audit")).get("what", "")
            assert what.split(":", 1)[0].removesuffix("/_history") not in hidden, what

    def teardown(self):
        assert audit.verify_chain(self.pid)[1] is None


def test_a_minors_secret_stays_kept_from_the_parents():
    run_state_machine_as_test(
        MinorsSecret,
        settings=settings(
            max_examples=examples(20),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
