"""Léa connects a pregnancy app at 360 px (axe-clean): the Coffre's consent screen, narrowed
to her measurements; the app reads them; she sees it in her access history and in « Mes
applications », and disconnects it. The app is oauthlib's client; its redirect URI is
answered by the browser itself (Playwright's routing), as the app's page would."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from oauthlib.oauth2 import WebApplicationClient

from carnet.demo import personas
from tests.browser import VIEWPORTS, check_page, cleanup, require_chromium, sign_in_as, start_server

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

LEA = personas.PREGNANT
REDIRECT = "https://neuf-mois.example/callback"
SCOPES = "launch/patient offline_access patient/Observation.rs patient/Condition.rs"


@pytest.fixture(scope="module")
def server():
    require_chromium()
    srv = start_server()
    try:
        srv.carnet("demo", "--without-stories")
        out = srv.carnet(
            "app",
            "register",
            "Neuf mois",
            "--publisher",
            "Maternité Libre",
            "--redirect-uri",
            REDIRECT,
            "--scopes",
            SCOPES,
            "--category",
            "pregnancy",
            "--purpose",
            "Suivre sa grossesse semaine après semaine.",
        )
        srv.client_id = out.split("client_id:")[1].split()[0]
        yield srv
    finally:
        cleanup(srv)


def _post(url: str, data: dict) -> dict:
    body = urllib.parse.urlencode(data).encode()
    with urllib.request.urlopen(urllib.request.Request(url, body)) as r:  # noqa: S310 - local
        return json.loads(r.read())


def _status(url: str, access: str) -> int:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {access}"})
    try:
        with urllib.request.urlopen(req) as r:  # noqa: S310 - local server
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_lea_connects_a_pregnancy_app_narrows_it_and_disconnects_it(server, chromium, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server is http://127.0.0.1
    oc = WebApplicationClient(server.client_id)
    oc.create_code_verifier(64)
    challenge = oc.create_code_challenge(oc.code_verifier, "S256")
    context = chromium.new_context(viewport=VIEWPORTS["mobile"], locale="fr-FR")
    page = context.new_page()
    codes: list[str] = []

    def app_page(route):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(route.request.url).query)
        codes.extend(query.get("code", []))
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>ok</title>")

    page.route("https://neuf-mois.example/**", app_page)
    problems: list[str] = []
    sign_in_as(page, server, LEA)
    url = oc.prepare_request_uri(
        server.url + "/oauth/authorize/",
        redirect_uri=REDIRECT,
        scope=SCOPES,
        state="s1",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    page.goto(url)
    assert "Neuf mois" in page.inner_text("h1")
    problems += check_page(page, "app-consent", "mobile")
    # She keeps her measurements only: every other kind unticked.
    for box in page.locator("input[name=kinds]").all():
        if box.get_attribute("value") != "measurements":
            box.uncheck()
    page.click("button[name=allow]")
    page.wait_for_url("https://neuf-mois.example/**")  # back in the app, with the code
    assert codes, page.url
    tokens = _post(
        server.url + "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": codes[0],
            "redirect_uri": REDIRECT,
            "client_id": server.client_id,
            "code_verifier": oc.code_verifier,
        },
    )
    assert "patient/Condition.rs" not in tokens["scope"]
    access = tokens["access_token"]
    assert _status(server.url + "/fhir/R4/Observation", access) == 200
    assert _status(server.url + "/fhir/R4/Condition", access) == 403

    page.goto(server.url + "/historique/")
    assert "Neuf mois" in page.inner_text("main")
    problems += check_page(page, "app-history", "mobile")

    page.goto(server.url + "/applications/")
    problems += check_page(page, "my-apps", "mobile")
    page.click("form[action*='deconnecter'] button")
    page.wait_for_load_state()
    assert _status(server.url + "/fhir/R4/Observation", access) == 401
    context.close()
    assert not problems, "\n".join(problems)
