"""No health data in any log (issue 13, point 4): a canary.

A unique marker goes into every field a person fills (their name, an allergy, a note, an
emergency contact, a message, a help-desk question, a file name, an imported bundle's text
and an invalid bundle's text); then every page is rendered in French and English for the
person and their doctor, with the summary and emergency-card PDFs, the exports, the emails
and SMS that follow, and the import errors. Every log record made by any logger at any
level (root at DEBUG; every record made anywhere is captured where it is made, before any
level or handler decides), and everything written to stdout and stderr, is searched: the
marker is in none.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from carnet.access.services import Actor, Purpose
from carnet.accounts import services as accounts
from carnet.care.models import Conversation
from carnet.helpdesk.models import HelpRequest
from carnet.notify import services as notify
from carnet.records import imports
from carnet.records import services as records

from .care import doctor_of
from .files import pdf_with_text
from .loopback import LoopbackSmsGateway, LoopbackSmtp
from .people import PASSWORD, practitioner_account

MARK = "Zqxcanari7"  # in no dictionary, no code system, no template
PHONE = "+33612345678"
# Pages that end the session or are not pages.
SKIPPED = {
    "account_logout",
    "set_language",
    "goodbye",
    "accounts:close",
    "fhir:openapi-json",
    "fhir:openapi-view",
    "fhir:api-root",
}


class EveryRecord(logging.Handler):
    """Keeps every record, whatever its logger's level, handlers or propagation."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def every_record(caplog, monkeypatch):
    """Root at DEBUG (caplog), and every record any logger makes, even those a logger's own
    level or handlers would drop: Logger.makeRecord is where every record is born."""
    caplog.set_level(logging.DEBUG)
    made: list[logging.LogRecord] = []
    original = logging.Logger.makeRecord

    def make_record(self, *args, **kwargs):
        record = original(self, *args, **kwargs)
        made.append(record)
        return record

    monkeypatch.setattr(logging.Logger, "makeRecord", make_record)
    # aiosmtpd's loopback server is the test's own mailbox, not Carnet: it quotes what it
    # receives at DEBUG (as any mail server's debug log would).
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)
    yield made, caplog
    monkeypatch.undo()


def _text_of(record: logging.LogRecord) -> str:
    parts = [record.name, str(record.msg)]
    with contextlib.suppress(Exception):  # a bad format string: its arguments are searched
        parts.append(record.getMessage())
    parts.append(repr(record.args))
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    if record.exc_text:
        parts.append(record.exc_text)
    return "\n".join(parts)


def _bundle(text: str) -> dict:
    patient = {"resourceType": "Patient", "name": [{"family": text, "given": ["Léa"]}]}
    subject = {"reference": "urn:uuid:p"}
    resources = [
        patient,
        {
            "resourceType": "AllergyIntolerance",
            "patient": subject,
            "code": {"text": f"{text} arachide"},
            "note": [{"text": f"{text} note"}],
        },
        {
            "resourceType": "Condition",
            "subject": subject,
            "code": {"text": f"Grossesse unique en cours {text}"},
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
        },
        {
            "resourceType": "Observation",
            "status": "final",
            "subject": subject,
            "code": {"text": f"{text} mesure"},
            "valueString": text,
            "effectiveDateTime": "2024-05-02",
        },
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p" if r is patient else f"urn:uuid:r{i}", "resource": r}
            for i, r in enumerate(resources)
        ],
    }


def _invalid_bundle() -> bytes:
    bad = _bundle(MARK)
    bad["entry"][3]["resource"]["status"] = MARK  # not a status: refused, quoting the value
    bad["entry"][1]["resource"]["criticality"] = {"x": MARK}
    return json.dumps(bad).encode()


def _pages() -> list[str]:
    """Every page without a parameter, by address."""
    names = []

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                name = f"{ns}:{p.name}" if ns else p.name
                if name not in SKIPPED and "(?P<" not in str(p.pattern):
                    names.append(name)

    walk(get_resolver().url_patterns, None)
    urls = []
    for name in sorted(set(names)):
        try:
            urls.append(reverse(name))
        except NoReverseMatch:  # a parameter in an enclosing include
            continue
    return urls


@pytest.fixture
def gateways(settings):
    smtp = LoopbackSmtp().use_in(settings).start()
    sms = LoopbackSmsGateway(key="k").start()
    settings.CARNET_SMS_BACKEND = "http"
    settings.CARNET_SMS_URL = sms.url
    settings.CARNET_SMS_KEY = "k"
    settings.CARNET_NOTIFY_KICK = False
    yield smtp, sms
    smtp.stop()
    sms.stop()


def test_nothing_a_person_wrote_reaches_a_log_line(client, every_record, gateways, capfd):
    made, caplog = every_record
    smtp, sms = gateways
    lea = accounts.create_user("lea@example.org", PASSWORD, display_name=f"Léa {MARK}")
    pid = accounts.patient_of(lea).pk
    notify.update_preferences(lea, email=True, sms=True, phone=PHONE)
    doctor = doctor_of(lea)
    me = Actor.of_user(lea)
    imports.import_bundle(me, _bundle(MARK), patient_id=pid, filename=f"{MARK}.json")
    client.force_login(lea)

    # Everything a person fills in, through the pages.
    client.post(
        reverse("records:entry_add", args=["allergie"]),
        {"substance": "other", "other": f"{MARK} kiwi", "kind": "allergy", "reaction": MARK},
    )
    client.post(
        reverse("records:entry_add", args=["contact"]),
        {"name": f"Sophie {MARK}", "relation": "DAU", "phone": "06 12 34 56 78"},
    )
    observation = records.search(me, pid, "Observation", Purpose.SELF).resources[0]["id"]
    client.post(reverse("records:item_annotate", args=[observation]), {"text": f"{MARK} note"})
    client.post(
        reverse("records:documents"),
        {
            "doc_type": "result",
            "day": "2025-03-14",
            "title": f"{MARK} prise de sang",
            "author": f"Laboratoire {MARK}",
            "file": SimpleUploadedFile(
                f"{MARK}.pdf", pdf_with_text(f"Hémoglobine {MARK}"), "application/pdf"
            ),
        },
    )
    client.post(
        reverse("care:conversation_new"),
        {"practitioner": doctor.pk, "subject": f"{MARK} sujet", "text": f"{MARK} question"},
    )
    client.post(reverse("helpdesk:ask"), {"subject": f"{MARK} aide", "text": f"{MARK} texte"})
    # Import errors: the page, the API, the service.
    client.post(
        reverse("records:import"),
        {"file": SimpleUploadedFile(f"{MARK}.json", _invalid_bundle(), "application/json")},
    )
    client.post(reverse("records:import"), {"file": SimpleUploadedFile(f"{MARK}.txt", b"x")})
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do: we read the logs
        imports.import_bundle(me, _invalid_bundle(), patient_id=pid, filename=f"{MARK}.json")
    _, token = accounts.create_token(lea, "canari")
    bearer = {"Authorization": f"Bearer {token}"}
    client.post("/fhir/R4", _invalid_bundle(), content_type="application/fhir+json", headers=bearer)
    assert Conversation.objects.filter(patient_id=pid).exists()
    assert HelpRequest.objects.exists()

    # Every page, PDF and export, in both languages, for the person and for their doctor.
    items = [
        r["id"]
        for t in ("AllergyIntolerance", "Condition", "Observation", "Patient")
        for r in records.search(me, pid, t, Purpose.SELF).resources
    ]
    conv = Conversation.objects.get(patient_id=pid)
    help_request = HelpRequest.objects.get()
    statuses, shown = {}, set()
    for language in ("fr", "en"):
        client.cookies["django_language"] = language
        client.force_login(lea)
        urls = _pages()
        urls += [reverse("records:item", args=[i]) for i in items]
        urls += [reverse("care:conversation", args=[conv.pk])]
        urls += [reverse("helpdesk:request", args=[help_request.pk])]
        urls += [f"/fhir/R4/Patient/{items[-1]}/$everything"]
        for url in urls:
            response = client.get(url, headers=bearer if "fhir" in url else {})
            statuses[url] = response.status_code
            if MARK.encode() in response.content:
                shown.add((language, url))
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        for fmt in ("json", "zip"):
            assert client.post(reverse("records:export"), {"format": fmt}).status_code == 200
        assert MARK.encode() in client.get(reverse("records:card")).content
        assert client.get(reverse("records:card_pdf"))["Content-Type"] == "application/pdf"
        assert client.get(reverse("records:summary_pdf"))["Content-Type"] == "application/pdf"

        client.force_login(doctor)
        urls = _pages()
        urls += [
            reverse("records:pro_record", args=[pid]),
            reverse("records:pro_timeline", args=[pid]),
        ]
        urls += [reverse("records:pro_item", args=[pid, i]) for i in items]
        urls += [reverse("care:conversation", args=[conv.pk])]
        for url in urls:
            response = client.get(url)
            statuses[f"pro {url}"] = response.status_code
            if MARK.encode() in response.content:
                shown.add((language, f"pro {url}"))
        client.post(reverse("care:conversation", args=[conv.pk]), {"text": f"{MARK} réponse"})
        notify.send_due()

    # The emergency card, opened by an emergency doctor with a reason; the help desk's side.
    client.cookies["django_language"] = "fr"
    client.force_login(lea)
    card = client.post(reverse("coffre:card_new")).content.decode()
    card_url = re.search(r'class="token">([^<]+)<', card).group(1)
    card_path = card_url[card_url.index("/urgence/") :]
    er = practitioner_account("er@example.org", PASSWORD, rpps="10000000999", display_name="Dr U")
    client.force_login(er)
    opened = client.post(card_path, {"reason": f"{MARK} malaise"})
    emergency_page = client.get(opened["Location"])
    assert MARK.encode() in emergency_page.content
    advisor = accounts.create_user("advisor@example.org", PASSWORD, role="advisor")
    client.force_login(advisor)
    for url in (
        reverse("helpdesk:advisor_inbox"),
        reverse("helpdesk:request", args=[help_request.pk]),
    ):
        statuses[f"advisor {url}"] = client.get(url).status_code
    client.post(reverse("helpdesk:request", args=[help_request.pk]), {"text": f"{MARK} conseil"})
    notify.send_due()

    # The canary was really everywhere it should be: in the pages, not in the logs.
    assert not [u for u, s in statuses.items() if s >= 500], statuses
    for language in ("fr", "en"):
        for url in [
            reverse("home"),
            reverse("records:timeline"),
            reverse("records:summary"),
            reverse("records:documents"),
            reverse("care:conversation", args=[conv.pk]),
            reverse("helpdesk:request", args=[help_request.pk]),
            f"pro {reverse('records:pro_record', args=[pid])}",
        ]:
            assert (language, url) in shown, (language, url)
    assert smtp.received and sms.posts, "emails and SMS were sent"
    logged = [r for r in made if MARK.lower() in _text_of(r).lower()]
    assert not logged, [(r.name, r.levelname, _text_of(r)[:300]) for r in logged]
    assert not [r for r in caplog.records if MARK.lower() in _text_of(r).lower()]
    out, err = capfd.readouterr()
    assert MARK.lower() not in out.lower()
    assert MARK.lower() not in err.lower()
    assert len(made) > 0  # the capture works: Django and Carnet log at DEBUG/INFO here
