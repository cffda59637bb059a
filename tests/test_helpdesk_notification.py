"""The asker is told there is an answer, by the channels they chose, with a link and
nothing of the question or the answer."""

from django.core import mail

from carnet.helpdesk import services as helpdesk
from carnet.notify import events
from carnet.notify import services as notify
from carnet.notify.models import Message

from .helpdesk import ask
from .people import advisor, citizen


def test_an_answer_is_announced_without_its_content(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    person, elodie = citizen("Karim Haddad"), advisor("Élodie Lalande")
    notify.update_preferences(person, sms=True, phone="+33612345678")
    req = ask(person, "Diabète et rappels HbA1c", "Mes rappels d'HbA1c ne s'affichent pas")
    helpdesk.answer(elodie, req.pk, "Votre HbA1c de mars est bien enregistrée.")
    queued = list(Message.objects.filter(user=person))
    assert {m.channel for m in queued} >= {"in_app", "email", "sms"}
    assert all(m.event == "help_answer" and m.params == {} for m in queued)
    forbidden = ("HbA1c", "Diabète", "rappels", "Élodie", "Lalande", "mars")
    for m in queued:
        for lang in events.LANGUAGES:
            blob = str(events.render(m.event, m.channel, m.params, lang))
            assert not any(word in blob for word in forbidden), (m.channel, lang, blob)
            assert "https://carnet.example.org/aide/mes-questions/" in blob
    notify.send_due()
    [email] = [e for e in mail.outbox if person.email in e.to]
    body = email.subject + email.body + str(email.alternatives)
    assert "a répondu à votre question" in body or "answered your question" in body
    assert not any(word in body for word in forbidden)


def test_a_reply_from_the_asker_notifies_nobody():
    person = citizen()
    req = ask(person)
    helpdesk.reply(person, req.pk, "Précision")
    assert not Message.objects.filter(event="help_answer").exists()
