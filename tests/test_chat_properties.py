"""Property-based test of the emergency chat's access rule, against a tiny model.

Random sequences of: the person or their proxy asking for a chat, practitioners (on call
or not) taking one, anyone sending or closing, the proxy revoked and given back. After
each step, for every chat and every actor: reading succeeds exactly for the person who
opened it (while they may still act for the record) and the practitioner who took it,
and shows exactly the messages written; anyone else gets ``NotFound``. Sending obeys the
same rule, a closed chat takes nothing more, and one person opens at most
``MAX_OPENED_PER_HOUR`` chats an hour.
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

from carnet.access import proxies
from carnet.access.services import Actor, NotFound
from carnet.chat import services
from carnet.chat.models import ChatMessage

from .chat import NO_FLAGS, on_call_doctor, person
from .fuzzing import examples
from .people import citizen, pro

CITIZENS = ("owner", "proxy", "stranger")
DOCTORS = ("d0", "d1", "d2")  # d2 is not on call
ON_CALL = {"d0", "d1"}
_n = itertools.count(1)


class EmergencyChat(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        n = next(_n)
        owner, self.pid = person(f"Karim Benali{n}", allergy=False)
        users = {
            "owner": owner,
            "proxy": citizen(f"Nadia Benali{n}"),
            "stranger": citizen(f"Léa Petit{n}"),
            "d0": on_call_doctor(f"Dr Hugo Garde{n}"),
            "d1": on_call_doctor(f"Dr Zoé Garde{n}"),
            "d2": pro(f"Dr Paul Noir{n}", profession="médecin généraliste"),
        }
        self.actors = {k: Actor.of_user(u) for k, u in users.items()}
        self.owner = self.actors["owner"]
        self._give_proxy()
        # The model.
        self.chats: list[dict] = []  # {id, opener, status, taker, texts}
        self.opened_by: dict[str, int] = {"owner": 0, "proxy": 0}

    def _give_proxy(self):
        row = proxies.add_proxy(
            self.owner, self.pid, self.actors["proxy"].user_id, permissions=("read", "messages")
        )
        self.proxy_row = row.pk
        self.proxy_live = True

    # --- the model's answers --------------------------------------------------------------

    def may_act(self, who: str) -> bool:
        return who == "owner" or (who == "proxy" and self.proxy_live)

    def participant(self, who: str, chat: dict) -> bool:
        if who in DOCTORS:
            return chat["taker"] == who
        return chat["opener"] == who and self.may_act(who)

    def current(self, who: str) -> dict | None:
        return next(
            (c for c in reversed(self.chats) if c["opener"] == who and c["status"] != "closed"),
            None,
        )

    # --- rules ------------------------------------------------------------------------------

    @rule(who=st.sampled_from(CITIZENS), share=st.booleans())
    def ask(self, who, share):
        try:
            chat = services.open_chat(
                self.actors[who], self.pid, "general", NO_FLAGS, shares_dataset=share
            )
        except services.TooManyChats:
            assert self.may_act(who) and self.current(who) is None
            assert self.opened_by[who] >= services.MAX_OPENED_PER_HOUR
            return
        except NotFound:
            assert not self.may_act(who)
            return
        assert self.may_act(who)
        existing = self.current(who)
        if existing is not None:
            assert chat.pk == existing["id"]
            return
        assert self.opened_by[who] < services.MAX_OPENED_PER_HOUR
        self.opened_by[who] += 1
        self.chats.append(
            {"id": chat.pk, "opener": who, "status": "waiting", "taker": None, "texts": []}
        )

    @precondition(lambda self: self.chats)
    @rule(doctor=st.sampled_from(DOCTORS), i=st.integers(0, 9))
    def take(self, doctor, i):
        chat = self.chats[i % len(self.chats)]
        ok = chat["status"] == "waiting" and doctor in ON_CALL
        try:
            services.take(self.actors[doctor], chat["id"])
        except NotFound:
            assert not ok
            return
        assert ok
        chat.update(status="open", taker=doctor)

    @precondition(lambda self: self.chats)
    @rule(who=st.sampled_from(CITIZENS + DOCTORS), i=st.integers(0, 9))
    def send(self, who, i):
        chat = self.chats[i % len(self.chats)]
        text = f"message {next(_n)} from {who}"
        try:
            services.send(self.actors[who], chat["id"], text)
        except NotFound:
            assert not self.participant(who, chat)
            return
        except services.ChatRefused:
            assert self.participant(who, chat) and chat["status"] == "closed"
            return
        assert self.participant(who, chat) and chat["status"] != "closed"
        chat["texts"].append(text)

    @precondition(lambda self: self.chats)
    @rule(who=st.sampled_from(CITIZENS + DOCTORS), i=st.integers(0, 9))
    def close(self, who, i):
        chat = self.chats[i % len(self.chats)]
        try:
            closed = services.close(self.actors[who], chat["id"])
        except NotFound:
            assert not self.participant(who, chat)
            return
        assert self.participant(who, chat)
        assert closed.status == "closed"
        chat["status"] = "closed"

    @precondition(lambda self: self.proxy_live)
    @rule()
    def revoke_proxy(self):
        assert proxies.revoke_proxy(self.owner, self.pid, self.proxy_row)
        self.proxy_live = False

    @precondition(lambda self: not self.proxy_live)
    @rule()
    def give_proxy_back(self):
        self._give_proxy()

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def only_the_two_participants_read(self):
        for chat in self.chats:
            for who, actor in self.actors.items():
                try:
                    _chat, lines = services.lines(actor, chat["id"])
                except NotFound:
                    assert not self.participant(who, chat), (who, chat)
                    continue
                assert self.participant(who, chat), (who, chat)
                assert [line.text for line in lines] == chat["texts"]

    @invariant()
    def texts_are_sealed(self):
        for chat in self.chats:
            for body in ChatMessage.objects.filter(chat_id=chat["id"]).values_list(
                "body", flat=True
            ):
                assert b"message" not in bytes(body)


def test_only_the_person_who_asked_and_the_practitioner_who_answered_see_a_chat():
    run_state_machine_as_test(
        EmergencyChat,
        settings=settings(
            max_examples=examples(30),
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
