"""The demo advisor finds questions waiting in her inbox, once, however often the demo loads."""

from carnet.accounts.models import User
from carnet.demo import personas
from carnet.demo import services as demo
from carnet.helpdesk import services as helpdesk


def test_the_demo_advisor_has_questions_to_answer():
    demo.load()
    elodie = User.objects.get(email=personas.ADVISOR.email)
    inbox = helpdesk.inbox(elodie)
    assert [t.subject for t in inbox] == [
        "Voir qui a regardé mon dossier",
        "Procuration pour mon père",
    ]
    assert inbox[0].asker_name.startswith("Henri")
    demo.load()
    assert len(helpdesk.inbox(elodie)) == 2
