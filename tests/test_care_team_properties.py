"""Property-based test of care-team conversations, against a tiny model.

Random sequences of: the person sharing their record with practitioners and taking it
back, members starting conversations with one another and answering. After each step:
a team conversation is read, answered and listed only by its two practitioners, and
only while each is a member of the person's care team now (a live grant); the person,
their proxy and practitioners outside the team get ``NotFound``; starting one needs both
sides in the team.
"""

from __future__ import annotations

import itertools

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from carnet.access import grants, proxies
from carnet.access.services import Actor, NotFound
from carnet.care import messaging
from carnet.care.models import ConversationKind

from .fuzzing import examples
from .people import citizen, pid_of, pro

N_PRACT = 3
_n = itertools.count(1)


class CareTeam(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        n = next(_n)
        owner = citizen(f"Henri Marty{n}")
        self.pid = pid_of(owner)
        self.owner = Actor.of_user(owner)
        relative = citizen(f"Rose Marty{n}")
        proxies.add_proxy(self.owner, self.pid, relative.pk, permissions=("read", "messages"))
        self.relative = Actor.of_user(relative)
        self.practs = [
            Actor.of_user(pro(f"Dr Équipe{n} {i}", profession="médecin")) for i in range(N_PRACT)
        ]
        # The model.
        self.grants: dict[int, int] = {}  # practitioner index -> grant id
        self.convs: list[dict] = []  # {id, a, b, texts}

    def member(self, i: int) -> bool:
        return i in self.grants

    def reads(self, i: int, conv: dict) -> bool:
        return i in (conv["a"], conv["b"]) and self.member(i)

    @rule(i=st.integers(0, N_PRACT - 1))
    def share(self, i):
        if i in self.grants:
            return
        g = grants.share(self.owner, self.pid, self.practs[i].user_id, categories=["problems"])
        self.grants[i] = g.pk

    @precondition(lambda self: self.grants)
    @rule(i=st.integers(0, N_PRACT - 1))
    def take_back(self, i):
        if i in self.grants:
            assert grants.revoke(self.owner, self.pid, self.grants.pop(i))

    @rule(i=st.integers(0, N_PRACT - 1), j=st.integers(0, N_PRACT - 1))
    def start(self, i, j):
        text = f"message {next(_n)}"
        colleague = self.practs[j].user_id
        try:
            conv = messaging.start_team(self.practs[i], self.pid, colleague, "Avis", text)
        except NotFound:
            assert not self.member(i)
            return
        except messaging.MessageRefused:
            assert self.member(i) and (i == j or not self.member(j))
            return
        assert self.member(i) and self.member(j) and i != j
        assert conv.kind == ConversationKind.TEAM
        self.convs.append({"id": conv.pk, "a": i, "b": j, "texts": [text]})

    @precondition(lambda self: self.convs)
    @rule(i=st.integers(0, N_PRACT - 1), k=st.integers(0, 9))
    def answer(self, i, k):
        conv = self.convs[k % len(self.convs)]
        text = f"message {next(_n)}"
        try:
            messaging.reply(self.practs[i], conv["id"], text)
        except NotFound:
            assert not self.reads(i, conv)
            return
        assert self.reads(i, conv)
        conv["texts"].append(text)

    @precondition(lambda self: self.convs)
    @rule(k=st.integers(0, 9))
    def the_person_and_their_proxy_try(self, k):
        conv = self.convs[k % len(self.convs)]
        for actor in (self.owner, self.relative):
            for call in (
                lambda a: messaging.open_thread(a, conv["id"]),
                lambda a: messaging.reply(a, conv["id"], "bonjour"),
            ):
                try:
                    call(actor)
                except NotFound:
                    continue
                raise AssertionError("the person or their proxy reached a team conversation")

    @invariant()
    def only_current_members_of_the_conversation_read_it(self):
        for conv in self.convs:
            for i, actor in enumerate(self.practs):
                try:
                    thread = messaging.open_thread(actor, conv["id"])
                except NotFound:
                    assert not self.reads(i, conv), (i, conv, self.grants)
                    continue
                assert self.reads(i, conv), (i, conv, self.grants)
                assert [line.text for line in thread.lines] == conv["texts"]

    @invariant()
    def lists_show_only_what_each_may_read(self):
        for i, actor in enumerate(self.practs):
            listed = {
                t.id for t in messaging.for_practitioner(actor) if t.kind == ConversationKind.TEAM
            }
            assert listed == {c["id"] for c in self.convs if self.reads(i, c)}


def test_care_team_conversations_are_for_current_members_only():
    run_state_machine_as_test(
        CareTeam,
        settings=settings(
            max_examples=examples(40),
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
