"""No health detail in any email, SMS or push: only whitelisted harmless parameters."""

import pytest
from django.utils import translation

from carnet.notify import events, receivers, services
from carnet.notify.models import Message

from .helpers import citizen

HARMLESS = {"code": "4821", "count": "97", "time": "14:30", "first_name": "Léo"}
# How each harmless value shows in a text, per language (a time as the language writes it).
SHOWN = {"time": {"fr": "14 h 30", "en": "14:30"}}
SAID_IN_EVERY_TEXT = {"time", "first_name"}  # a reply code is only in the SMS
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
        # A time of day as the language writes it (each catalogue's « %(hours)s:%(minutes)s »).
        shown = events.format_time(value, lang) if key == "time" else value
        assert shown == SHOWN.get(key, {}).get(lang, shown), (key, lang, shown)
        if key not in ev.params:
            assert shown not in blob.replace("carnet.example.org", "")
        elif key in SAID_IN_EVERY_TEXT:
            assert shown in blob, (key, shown)
    assert "https://carnet.example.org/" in blob  # every message links to the app
    assert set(ev.params) <= set(events.PARAM_RULES)


@pytest.mark.parametrize("event", list(events.EVENTS))
def test_every_event_speaks_every_language(event):
    """Each text is a gettext message that French translates (English is the source)."""
    ev = events.get(event)
    texts = [t for t in (ev.subject, ev.line, ev.sms, ev.line_one) if t is not None]
    for lang in events.LANGUAGES:
        with translation.override(lang):
            assert all(str(t).strip() for t in texts)
    with translation.override("fr"):
        french = [str(t) for t in texts]
    with translation.override("en"):
        english = [str(t) for t in texts]
    assert all(fr != en for fr, en in zip(french, english, strict=True)), french


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


@pytest.mark.parametrize(
    "value",
    ["14:30 VIH", "POISON-14:30", "25:00", "14h30", "14:3", "1430", "14:30\n", "", True],
)
def test_a_time_is_hh_mm_and_nothing_else(value):
    user = citizen()
    with pytest.raises(events.BadParams):
        services.notify_user(user.pk, "appointment_tomorrow", params={"time": value})
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "value", ["Léo diabète-type-2", "L3o", "Léo (VIH)", "Dr. House", "x" * 41, "Léo\n", ""]
)
def test_a_first_name_is_letters_only(value):
    user = citizen()
    with pytest.raises(events.BadParams):
        services.notify_user(user.pk, "relative_reminder", params={"first_name": value})
    assert not Message.objects.exists()


def test_a_time_is_written_as_each_language_writes_it():
    fr = events.render("appointment_tomorrow", "sms", {"time": "09:05"}, "fr")["text"]
    en = events.render("appointment_soon", "push", {"time": "18:40"}, "en")["body"]
    assert "demain à 9 h 05" in fr
    assert "at 18:40" in en


def test_a_poisoned_value_written_past_the_queue_is_refused_when_rendered():
    # A row changed in the database after queueing: rendering checks the value again.
    for bad in ("14:30 POISON-VIH", "POISON"):
        for channel in ("email", "sms", "push"):
            with pytest.raises(events.BadParams):
                events.render("appointment_tomorrow", channel, {"time": bad}, "fr")
