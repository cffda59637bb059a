"""The demo's outgoing mail: one line per message on the server's output, each message
kept as a file in CARNET_DATA_DIR/outbox/, and a page to read them on this computer
(issue 13, point 10). Before, `make run` printed every email in full MIME."""

import io
from email import policy
from email.parser import BytesParser

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse

import carnet.settings as carnet_settings
from carnet.accounts import services as accounts
from carnet.notify import mailfolder

pytestmark = pytest.mark.django_db(databases=["default", "keystore"])
BACKEND = "carnet.notify.mailfolder.FolderEmailBackend"


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = BACKEND
    settings.CARNET_OUTBOX_DIR = tmp_path / "outbox"
    settings.CARNET_SITE_URL = "http://127.0.0.1:8000"
    return tmp_path / "outbox"


def test_without_a_mail_server_carnet_uses_the_folder():
    assert carnet_settings.EMAIL_URL is None  # CARNET_EMAIL_URL is not set for the tests
    assert carnet_settings.EMAIL_BACKEND == BACKEND


def test_each_message_is_one_line_and_one_file(outbox):
    out = io.StringIO()
    connection = django_mail.get_connection(BACKEND, stream=out)
    messages = [
        django_mail.EmailMultiAlternatives(
            f"Sujet {n}", f"Bonjour {n}\nhttps://x/lien/{n}", to=[f"p{n}@example.org"]
        )
        for n in range(3)
    ]
    messages[0].attach_alternative("<p>Bonjour 0</p>", "text/html")
    assert connection.send_messages(messages) == 3
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3
    for n, line in enumerate(lines):
        assert line.startswith(f"email to p{n}@example.org: ")
        assert line.endswith(".eml") and "Content-Type" not in line and "Bonjour" not in line
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["Subject"] == "Sujet 0" and parsed["To"] == "p0@example.org"
    assert (outbox.stat().st_mode & 0o777) == 0o700
    assert all((f.stat().st_mode & 0o777) == 0o600 for f in files)


def test_a_sign_up_confirmation_can_be_read_and_followed_on_the_demo_page(outbox, settings):
    settings.CARNET_DEMO_MAILBOX = True
    Client().post(
        reverse("account_signup"),
        {
            "email": "bob@example.org",
            "password1": "Tilleul-Garonne-Brique-31",
            "password2": "Tilleul-Garonne-Brique-31",
        },
    )
    [mail] = mailfolder.messages()
    assert mail.to == "bob@example.org"
    here = Client(REMOTE_ADDR="127.0.0.1")
    page = here.get(reverse("notify:demo_mailbox")).content.decode()
    assert mail.subject in page and "bob@example.org" in page
    one = here.get(reverse("notify:demo_mail", args=[mail.name])).content.decode()
    assert 'href="http://127.0.0.1:8000/accounts/confirm-email/' in one  # a link to click


def test_the_page_is_closed_unless_switched_on_and_to_other_computers(outbox, settings):
    accounts.create_user("alice@example.org", None)
    django_mail.get_connection(BACKEND, stream=io.StringIO()).send_messages(
        [django_mail.EmailMessage("Code", "ABC123", to=["alice@example.org"])]
    )
    name = mailfolder.messages()[0].name
    url = reverse("notify:demo_mail", args=[name])
    settings.CARNET_DEMO_MAILBOX = False
    assert Client(REMOTE_ADDR="127.0.0.1").get(url).status_code == 404
    settings.CARNET_DEMO_MAILBOX = True
    assert Client(REMOTE_ADDR="203.0.113.5").get(url).status_code == 404
    assert Client(REMOTE_ADDR="127.0.0.1").get(url).status_code == 200
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # real mail
    assert Client(REMOTE_ADDR="127.0.0.1").get(url).status_code == 404


def test_no_other_file_can_be_read_through_the_page(outbox, settings):
    settings.CARNET_DEMO_MAILBOX = True
    (outbox.parent / "secret.eml").write_text("Subject: secret\n\nno")
    client = Client(REMOTE_ADDR="127.0.0.1")
    for name in ("..%2Fsecret.eml", "../secret.eml", "secret.key", ".eml"):
        assert client.get(f"/courrier-de-demo/{name}/").status_code == 404
