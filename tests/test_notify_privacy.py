"""No health detail in any email, SMS or push: only whitelisted harmless parameters."""

import pytest

from carnet.notify import events, receivers, services
from carnet.notify.models import Message

from .helpers import citizen

HARMLESS = {"code": "4821", "count": "3"}
# What a careless caller might try to pass: none of it may ever reach a body.
POISON = {
    "diagnosis": "POISON-DIAGNOSIS-HIV",
    "actor_label": "POISON-DR-PSYCHIATRE",
    "resource": "POISON-Condition-diabetes",
    "title": "POISON-document-title",
    "name": "POISON-patient-name",
    "url": "https://evil.example/POISON",
    "text": "POISON-free-text",
}


def all_renderings():
    for key in events.EVENTS:
        for lang in events.LANGUAGES:
            for channel in ("email", "sms", "push"):
                yield key, lang, channel


@pytest.mark.parametrize("event,lang,channel", list(all_renderings()))
def test_rendered_bodies_carry_no_parameter_but_whitelisted_ones(event, lang, channel, settings):
    settings.CARNET_SITE_URL = "https://carnet.example.org"
    ev = events.get(event)
    params = {**POISON, **{k: HARMLESS[k] for k in ev.params}}
    rendered = events.render(event, channel, params, lang)
    blob = " ".join(str(v) for v in rendered.values())
    assert "POISON" not in blob
    for key, value in HARMLESS.items():
        if key not in ev.params:
            assert value not in blob.replace("carnet.example.org", "")
    assert "https://carnet.example.org/" in blob  # every message links to the app
    assert set(ev.params) <= set(events.PARAM_RULES)


@pytest.mark.parametrize("event", list(events.EVENTS))
def test_every_event_speaks_every_language(event):
    ev = events.get(event)
    for lang in events.LANGUAGES:
        assert {"subject", "line"} <= set(ev.texts[lang])
    assert set(ev.texts) == set(events.LANGUAGES)


@pytest.mark.parametrize(
    "params",
    [
        {"diagnosis": "diabète de type 2"},
        {"code": "4821", "actor_label": "Dr Martin, psychiatre"},
        {"code": "HIV+"},
        {"code": "12"},
        {"code": True},
        {},  # access_request needs its code
    ],
)
def test_unknown_or_odd_parameters_are_refused_and_nothing_is_queued(params):
    user = citizen()
    with pytest.raises(events.BadParams):
        services.notify_user(user.pk, "access_request", params=params)
    assert not Message.objects.exists()


def test_stored_params_hold_only_whitelisted_values():
    user = citizen()
    services.notify_user(user.pk, "access_request", params={"code": 4821})
    assert {tuple(m.params.items()) for m in Message.objects.all()} == {(("code", "4821"),)}


def test_the_access_receiver_never_passes_the_actor_on():
    user = citizen()
    from carnet.accounts import services as accounts

    patient = accounts.patient_of(user)
    receivers.on_access_event(
        None, patient_id=patient.pk, event="first_look", actor_label="Dr Martin, psychiatre"
    )
    messages = list(Message.objects.all())
    assert messages and all(m.params == {} for m in messages)
    for m in messages:
        for channel in ("email", "sms", "push"):
            blob = str(events.render(m.event, channel, m.params, "fr"))
            assert "Martin" not in blob and "psychiatre" not in blob
