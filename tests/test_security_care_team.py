"""A team conversation is listed, like it is read, only to a member of the care team now:
a practitioner whose sharing ended, and who opens the record in an emergency, reads the
record's emergency information but neither reads nor sees the list of the team's talk."""

from __future__ import annotations

import pytest

from carnet.access import emergency, grants
from carnet.access.services import Actor, NotFound
from carnet.care import messaging

from .care import doctor_of
from .people import citizen, pid_of, pro


def test_an_emergency_access_does_not_reopen_the_care_teams_conversations():
    person = citizen("Henri Marty")
    pid = pid_of(person)
    me = Actor.of_user(person)
    gp = Actor.of_user(doctor_of(person, name="Dr Claire Garonne"))
    cardio_user = pro("Dr Marc Capitole", profession="cardiologue")
    cardio = Actor.of_user(cardio_user)
    grant = grants.share(me, pid, cardio_user.pk, categories=["treatments"], duration="month")
    conv = messaging.start_team(gp, pid, cardio_user.pk, "Anticoagulant", "INR instable")
    assert [t.id for t in messaging.for_practitioner(cardio)] == [conv.pk]

    grants.revoke(me, pid, grant.pk)
    emergency.break_glass(cardio, pid, "Malaise aux urgences")
    assert [t.subject for t in messaging.for_practitioner(cardio)] == []
    with pytest.raises(NotFound):
        messaging.open_thread(cardio, conv.pk)
    with pytest.raises(NotFound):
        messaging.reply(cardio, conv.pk, "Je le vois aux urgences.")
    # The member still reads and lists it.
    assert [t.id for t in messaging.for_practitioner(gp)] == [conv.pk]
