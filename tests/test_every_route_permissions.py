"""Every route, every role: who may open it, and what everyone else gets.

The routes come from the URL conf itself, so a new route without a rule here fails CI. Each
route is tried, by GET and by POST (an empty form; the test client does not enforce CSRF), by
each role of ``tests/people.py`` on Alice's record and objects:

  anonymous    signed out                       -> sent to sign in (or a public page)
  owner        Alice herself
  proxy        Rémi, acting for Alice with a proxy
  pro_granted  Dr Grant, whom Alice shares her record with
  pro_plain    Dr Plain, no grant (a pending request)
  stranger     Bob, another citizen
  advisor      Ada, a help-centre advisor
  researcher   Rosa

Answers in a word: ``ok`` (2xx), ``login`` (redirect to sign-in), ``redirect`` (elsewhere),
or the status code. Besides the table: a role that may not see Alice's record never finds
her health data in the answer, and on a route naming an object, the answer it gets for
Alice's object is the answer it gets for an absent one (same status, same templates).
"""

from __future__ import annotations

import pytest
from django.db import connections, transaction

from .people import make_people
from .routes import ROLES, Route, all_routes, answer, client_for, fill, sign_in_everyone, templates

# Profiles, one answer per role in the order of ROLES:
#            anon   owner proxy pro_g pro_p stranger advisor researcher
PUBLIC = "ok ok ok ok ok ok ok ok"
SIGNED_IN = "login ok ok ok ok ok ok ok"  # any account, each on their own things
PERSON = "login ok ok 404 404 ok 404 404"  # a citizen's space (theirs, or the one they act for)
PRO = "login 404 404 ok ok 404 404 404"  # a practitioner's workspace
RECORD_PRO = "login 404 404 ok 404 404 404 404"  # Alice's record, for her practitioner
GET_ONLY = "login 405 405 405 405 405 405 405"  # the same route by the other method
POST_ONLY = GET_ONLY
ALL_404 = "404 404 404 404 404 404 404 404"
FHIR_TOKEN = "401 401 401 401 401 401 401 401"  # the FHIR API takes a bearer token only
EVERYONE_404 = "login 404 404 404 404 404 404 404"  # no such object, or not theirs
SIGNED_IN_MOVED = "login redirect redirect redirect redirect redirect redirect redirect"
PERSON_DONE = "login redirect redirect 404 404 redirect 404 404"  # done, back to the page
PERSON_BAD_FORM = "login 400 400 404 404 400 404 404"  # an empty form: told what is missing
SIGNED_IN_BAD_FORM = "login 400 400 400 400 400 400 400"
OWN_RECORD_FORM = "login 400 400 ok ok 400 ok ok"  # no record of one's own: told so (200)
ALL_405 = "405 405 405 405 405 405 405 405"

# Route name -> (answers to GET, answers to POST).
RULES: dict[str, tuple[str, str]] = {
    "research:my_choice": (PERSON, PERSON_BAD_FORM),
    "research:watch": (PUBLIC, ALL_405),
    "research:workspace": ("login 404 404 404 404 404 404 ok", "login 404 404 404 404 404 404 400"),
    "research_api:api-root": (ALL_404, ALL_404),
    "research_api:get_consent": (FHIR_TOKEN, ALL_405),
    "research_api:put_consent": (FHIR_TOKEN, ALL_405),
    "research_api:post_query": (ALL_405, FHIR_TOKEN),
    "coffre:act_for": (POST_ONLY, SIGNED_IN_MOVED),
    "coffre:act_stop": (POST_ONLY, SIGNED_IN_MOVED),
    "coffre:card_new": (POST_ONLY, PERSON),
    "coffre:card_open": ("ok 403 403 ok ok 403 403 403", "ok 403 403 400 400 403 403 403"),
    "coffre:child_add": ("login ok ok 403 403 ok 403 403", "login ok ok 403 403 ok 403 403"),
    "coffre:minor_accept": (ALL_404, ALL_404),  # a link that is no invitation's
    "coffre:minor_invite": (EVERYONE_404, EVERYONE_404),  # Alice is no minor of 15-17
    "coffre:emergency": ("login 403 403 ok ok 403 403 403", "login 403 403 400 400 403 403 403"),
    "coffre:emergency_end": (POST_ONLY, "login 403 403 redirect redirect 403 403 403"),
    "coffre:emergency_record": (
        "login 403 403 404 404 403 403 403",
        "login 403 403 404 404 403 403 403",
    ),
    "coffre:emergency_refusal": (POST_ONLY, PERSON_DONE),
    "coffre:emergency_settings": (PERSON, PERSON),
    "coffre:history": (PERSON, PERSON),
    "coffre:history_export": (PERSON, PERSON),
    "coffre:pro_patients": (PRO, PRO),
    "coffre:pro_request_withdraw": (POST_ONLY, "login 404 404 404 redirect 404 404 404"),
    "coffre:pro_requests": (PRO, "login 404 404 400 400 404 404 404"),
    "coffre:proxies": (PERSON, PERSON),
    "coffre:proxy_record": (
        "login redirect ok redirect redirect redirect redirect redirect",
        "login redirect ok redirect redirect redirect redirect redirect",
    ),
    "coffre:proxy_revoke": (POST_ONLY, PERSON_DONE),
    "coffre:request_approve": (POST_ONLY, "login redirect redirect 404 404 409 404 404"),
    "coffre:request_detail": (  # Alice's, or Rémi's who manages her record
        "login ok ok 404 404 404 404 404",
        "login ok ok 404 404 404 404 404",
    ),
    "coffre:request_refuse": (POST_ONLY, "login redirect redirect 404 404 409 404 404"),
    "coffre:sharing": (PERSON, PERSON),
    "coffre:sharing_code": (POST_ONLY, PERSON),
    "coffre:sharing_code_delete": (POST_ONLY, PERSON_DONE),
    "coffre:sharing_items": (PERSON, PERSON_DONE),
    "coffre:sharing_practitioners": (PERSON, PERSON),
    "coffre:sharing_referent": (POST_ONLY, PERSON_DONE),
    "coffre:sharing_revoke": (POST_ONLY, "login redirect redirect 404 404 404 404 404"),
    "coffre:sharing_revoke_all": (PERSON, PERSON_DONE),
    "coffre:sharing_share": (PERSON, PERSON_BAD_FORM),
    "coffre:spaces": (SIGNED_IN, SIGNED_IN),
    "account_change_password": (SIGNED_IN, SIGNED_IN),
    "account_confirm_email": (PUBLIC, "404 404 404 404 404 404 404 404"),
    "account_confirm_login_code": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "account_confirm_reauthentication_code": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "account_email": (SIGNED_IN, SIGNED_IN_MOVED),
    "account_email_verification_sent": (PUBLIC, ALL_405),
    "account_inactive": (PUBLIC, ALL_405),
    "account_login": (
        "ok redirect redirect redirect redirect redirect redirect redirect",
        "ok redirect redirect redirect redirect redirect redirect redirect",
    ),
    "account_logout": (
        "redirect ok ok ok ok ok ok ok",
        "redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    "account_reauthenticate": (SIGNED_IN, SIGNED_IN),
    "account_request_reauthentication_code": (SIGNED_IN, SIGNED_IN),  # by emailed code
    "account_reset_password": (PUBLIC, PUBLIC),
    "account_request_login_code": (  # the emailed sign-in code: for the signed out only
        "ok redirect redirect redirect redirect redirect redirect redirect",
        "ok redirect redirect redirect redirect redirect redirect redirect",
    ),
    "account_reset_password_done": (PUBLIC, ALL_405),
    "account_reset_password_from_key": (PUBLIC, PUBLIC),
    "account_reset_password_from_key_done": (PUBLIC, ALL_405),
    "account_set_password": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "account_signup": (
        "ok redirect redirect redirect redirect redirect redirect redirect",
        "ok redirect redirect redirect redirect redirect redirect redirect",
    ),
    "accounts:account": (SIGNED_IN, SIGNED_IN),
    "accounts:close": (SIGNED_IN, OWN_RECORD_FORM),
    "accounts:profile": (POST_ONLY, SIGNED_IN_BAD_FORM),
    "accounts:session_revoke": (POST_ONLY, EVERYONE_404),
    "accounts:session_revoke_others": (POST_ONLY, SIGNED_IN_MOVED),
    "accounts:token_create": (POST_ONLY, SIGNED_IN_BAD_FORM),
    "accounts:token_revoke": (POST_ONLY, "login redirect 404 404 404 404 404 404"),
    "care:appointment_book": (PERSON, "login 409 409 404 404 409 404 404"),
    "care:appointment_cancel": (
        "login ok ok ok 404 404 404 404",
        "login redirect redirect redirect 404 404 404 404",
    ),
    "care:appointment_ics": ("login ok ok ok 404 404 404 404", "login ok ok ok 404 404 404 404"),
    "care:appointment_move": (
        "login ok ok 404 404 404 404 404",
        "login 409 409 404 404 404 404 404",
    ),
    "care:appointments": (PERSON, PERSON),
    "care:conversation": ("login ok ok ok 404 404 404 404", "login ok ok ok 404 404 404 404"),
    "care:conversation_new": (PERSON, PERSON),
    "care:conversations": (PERSON, PERSON),
    "care:directory": (SIGNED_IN, SIGNED_IN_BAD_FORM),
    "care:pro_agenda": (PRO, PRO),
    "care:pro_conversations": (PRO, PRO),
    "care:pro_home": (PRO, PRO),
    "care:pro_hours": (PRO, PRO),
    "care:pro_message_habit": (PRO, PRO),
    "care:pro_renewal": (RECORD_PRO, "login 404 404 400 404 404 404 404"),
    "care:pro_renewals": (PRO, PRO),
    "care:pro_team_new": (RECORD_PRO, RECORD_PRO),
    "care:renewal_ask": ("login ok ok 404 404 404 404 404", "login ok ok 404 404 404 404 404"),
    "care:renewals": (PERSON, PERSON),
    "chat:close": (POST_ONLY, "login redirect 404 404 404 404 404 404"),
    "chat:dataset": (EVERYONE_404, EVERYONE_404),
    "chat:open": (POST_ONLY, PERSON_BAD_FORM),
    "chat:poll": ("login ok 404 404 404 404 404 404", GET_ONLY),
    "chat:pro_desk": (PRO, PRO),
    "chat:pro_desk_poll": (PRO, GET_ONLY),
    "chat:pro_on_call": (POST_ONLY, EVERYONE_404),
    "chat:pro_take": (POST_ONLY, "login 404 404 redirect redirect 404 404 404"),
    "chat:room": ("login ok 404 404 404 404 404 404", "login 400 404 404 404 404 404 404"),
    "chat:start": (PUBLIC, "400 400 400 400 400 400 400 400"),
    "easy_read": (ALL_405, "400 400 400 400 400 400 400 400"),  # an empty form: on or off?
    "fhir:_unknown": ("401 400 400 400 400 400 400 400", "401 405 405 405 405 405 405 405"),
    "fhir:_unsupported": ("401 405 405 405 405 405 405 405", "401 400 400 403 403 400 403 403"),
    "fhir:_unsupported_on_patient": ("401 ok ok ok 404 404 404 404", ALL_405),
    "fhir:_unsupported_on_resource": (
        "401 ok ok ok 404 404 404 404",
        "401 405 405 405 405 405 405 405",
    ),
    "fhir:_unsupported_on_type": (
        "401 ok ok 400 400 ok 400 400",
        "401 405 405 405 405 405 405 405",
    ),
    "fhir:api-root": (
        "ok ok redirect ok ok ok ok ok",
        "ok ok redirect ok ok ok ok ok",
    ),  # "/": home
    "fhir:everything": ("401 ok ok ok 404 404 404 404", ALL_405),
    "fhir:history": ("401 ok ok ok 404 404 404 404", "401 405 405 405 405 405 405 405"),
    "fhir:metadata": (PUBLIC, ALL_405),
    "fhir:openapi-json": (PUBLIC, PUBLIC),
    "fhir:openapi-view": (PUBLIC, PUBLIC),
    "fhir:post_bundle": ("401 405 405 405 405 405 405 405", "401 400 400 403 403 400 403 403"),
    "fhir:read": ("401 ok ok ok 404 404 404 404", "401 405 405 405 405 405 405 405"),
    "fhir:audit_events": ("401 ok ok 400 400 ok 400 400", ALL_405),
    "fhir:search": ("401 ok ok 400 400 ok 400 400", "401 405 405 405 405 405 405 405"),
    "goodbye": (PUBLIC, PUBLIC),
    "helpdesk:advisor_inbox": (
        "login 404 404 404 404 404 ok 404",
        "login 404 404 404 404 404 ok 404",
    ),
    "helpdesk:article": (PUBLIC, PUBLIC),
    "helpdesk:ask": ("login ok ok ok ok ok 404 404", "login 400 400 400 400 400 404 404"),
    "helpdesk:close": (POST_ONLY, "login redirect 404 404 404 404 404 404"),
    "helpdesk:index": (PUBLIC, PUBLIC),
    "helpdesk:mine": ("login ok ok ok ok ok 404 404", "login ok ok ok ok ok 404 404"),
    "helpdesk:request": ("login ok 404 404 404 404 ok 404", "login ok 404 404 404 404 ok 404"),
    "helpdesk:search": (
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "400 400 400 400 400 400 400 400",
    ),
    # The help point: Alice's side (her space, or Rémi's who manages it); Ada belongs to no
    # help point, so every desk page is a 404 for her as for everyone else.
    "helppoint:person": (PERSON, PERSON_BAD_FORM),
    "helppoint:paper": (POST_ONLY, PERSON),
    "helppoint:person_end": (POST_ONLY, PERSON_DONE),
    "helppoint:desk": (EVERYONE_404, EVERYONE_404),
    "helppoint:assist": (EVERYONE_404, EVERYONE_404),
    "helppoint:account_new": (EVERYONE_404, EVERYONE_404),
    "helppoint:account_recover": (EVERYONE_404, EVERYONE_404),
    "helppoint:code": (POST_ONLY, EVERYONE_404),
    "helppoint:choose": (POST_ONLY, EVERYONE_404),
    "helppoint:sms": (POST_ONLY, EVERYONE_404),
    "helppoint:reminder": (POST_ONLY, EVERYONE_404),
    "helppoint:share": (POST_ONLY, EVERYONE_404),
    "helppoint:import": (POST_ONLY, EVERYONE_404),
    "helppoint:end": (POST_ONLY, EVERYONE_404),
    "helppoint:sign_out": (ALL_405, "login login login login login login login login"),
    # Signed out, the home page is the front door (what Carnet is, sign up, sign in).
    "home": ("ok ok redirect ok ok ok ok ok", "ok ok redirect ok ok ok ok ok"),
    "community:block": (POST_ONLY, EVERYONE_404),
    "community:dismiss": (POST_ONLY, EVERYONE_404),
    "community:group": (EVERYONE_404, EVERYONE_404),  # a member's only: nobody here is one
    "community:index": (SIGNED_IN, SIGNED_IN),
    "community:join": (PERSON, PERSON_BAD_FORM),  # citizens only
    "community:moderate_post": (EVERYONE_404, EVERYONE_404),
    "community:moderation": (EVERYONE_404, EVERYONE_404),
    "community:new_thread": (EVERYONE_404, EVERYONE_404),
    "community:notices": (EVERYONE_404, EVERYONE_404),
    "community:report": (EVERYONE_404, EVERYONE_404),
    "community:thank": (POST_ONLY, EVERYONE_404),
    "community:thread": (EVERYONE_404, EVERYONE_404),
    "community:unblock": (POST_ONLY, EVERYONE_404),
    "mfa_activate_totp": (SIGNED_IN, SIGNED_IN),
    "mfa_add_webauthn": (SIGNED_IN, SIGNED_IN),
    "mfa_authenticate": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "mfa_deactivate_totp": (EVERYONE_404, EVERYONE_404),
    "mfa_download_recovery_codes": (EVERYONE_404, EVERYONE_404),
    "mfa_edit_webauthn": (EVERYONE_404, EVERYONE_404),
    "mfa_generate_recovery_codes": (SIGNED_IN, SIGNED_IN),
    "mfa_index": (SIGNED_IN, GET_ONLY),
    "mfa_list_webauthn": (SIGNED_IN, GET_ONLY),
    "mfa_login_webauthn": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "mfa_reauthenticate": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "mfa_reauthenticate_webauthn": (SIGNED_IN_MOVED, SIGNED_IN_MOVED),
    "mfa_remove_webauthn": (EVERYONE_404, EVERYONE_404),
    "mfa_view_recovery_codes": (EVERYONE_404, GET_ONLY),
    "notify:demo_mail": (ALL_404, ALL_404),  # only while `make run` serves the demo
    "notify:demo_mailbox": (ALL_404, ALL_404),
    "notify:phone_confirm": (POST_ONLY, SIGNED_IN_BAD_FORM),
    "notify:phone_remove": (POST_ONLY, SIGNED_IN_MOVED),
    "notify:phone_send": (POST_ONLY, SIGNED_IN_BAD_FORM),
    "notify:preferences": (SIGNED_IN, SIGNED_IN_BAD_FORM),
    "notify:push_subscription": (SIGNED_IN, SIGNED_IN_BAD_FORM),
    "notify:push_switch": (POST_ONLY, SIGNED_IN_MOVED),
    "notify:sms_inbound": (ALL_405, "404 404 404 404 404 404 404 404"),
    "records:card": (PERSON, GET_ONLY),
    "records:card_pdf": (PERSON, GET_ONLY),
    "records:document_download": (EVERYONE_404, GET_ONLY),
    "records:document_file": (EVERYONE_404, GET_ONLY),
    "records:document_preview": (EVERYONE_404, GET_ONLY),
    "records:documents": (SIGNED_IN, OWN_RECORD_FORM),
    "records:entry_add": (SIGNED_IN, OWN_RECORD_FORM),
    "records:entry_index": (SIGNED_IN, SIGNED_IN),
    "records:export": (SIGNED_IN, OWN_RECORD_FORM),
    "records:import": (SIGNED_IN, OWN_RECORD_FORM),
    "records:import_choice": (POST_ONLY, EVERYONE_404),
    "records:import_job": (EVERYONE_404, EVERYONE_404),
    "records:import_status": (EVERYONE_404, GET_ONLY),
    "records:item": ("login ok ok 404 404 404 404 404", "login ok ok 404 404 404 404 404"),
    "records:item_annotate": (POST_ONLY, "login 400 404 404 404 404 404 404"),
    "records:item_correct": (EVERYONE_404, EVERYONE_404),
    "records:item_still_right": (POST_ONLY, EVERYONE_404),
    "records:item_parents": (POST_ONLY, EVERYONE_404),  # Alice is no minor of 15-17
    "records:pro_item_parents": (POST_ONLY, EVERYONE_404),
    "records:medicine_search": (POST_ONLY, SIGNED_IN),
    "records:pro_entry_add": (RECORD_PRO, "login 404 404 400 404 404 404 404"),
    "records:pro_entry_index": (RECORD_PRO, GET_ONLY),
    "records:pro_item": (RECORD_PRO, GET_ONLY),
    "records:pro_record": (RECORD_PRO, GET_ONLY),
    "records:pro_search": (RECORD_PRO, RECORD_PRO),
    "records:pro_timeline": (RECORD_PRO, GET_ONLY),
    "records:search": (SIGNED_IN, SIGNED_IN),
    "records:summary": (PERSON, GET_ONLY),
    "records:summary_pdf": (PERSON, GET_ONLY),
    "records:timeline": (SIGNED_IN, SIGNED_IN),
    "reminders:adherence_sharing": (POST_ONLY, PERSON_DONE),
    "insurance:add": (POST_ONLY, PERSON_DONE),
    "insurance:history": (PERSON, GET_ONLY),
    "insurance:history_month": (PERSON, GET_ONLY),
    "insurance:history_year": (PERSON, GET_ONLY),
    "insurance:pro_history": (RECORD_PRO, GET_ONLY),
    "insurance:pro_history_year": (RECORD_PRO, GET_ONLY),
    "insurance:simulator": (PERSON, PERSON_BAD_FORM),
    "reminders:agenda": (PERSON, GET_ONLY),
    "reminders:agenda_add": (POST_ONLY, PERSON_DONE),
    "reminders:choose": (POST_ONLY, PERSON_DONE),
    "reminders:feed": (PERSON, PERSON),
    "reminders:feed_ics": (PUBLIC, ALL_405),
    "reminders:index": (PERSON, GET_ONLY),
    "reminders:intake": (POST_ONLY, PERSON_DONE),
    "reminders:intake_alerts": (POST_ONLY, PERSON_DONE),
    "reminders:pro_adherence": (EVERYONE_404, GET_ONLY),
    "reminders:programmes": (PERSON, PERSON_BAD_FORM),
    "reminders:treatments": (PERSON, GET_ONLY),
    "reminders:vaccinations": (PERSON, GET_ONLY),
    "manifest": (PUBLIC, ALL_405),
    "service_worker": (PUBLIC, ALL_405),
    "offline": (PUBLIC, ALL_405),
    "own_device": (POST_ONLY, SIGNED_IN_MOVED),
    "smart:authorize": ("login 400 400 400 400 400 400 400", "login 400 400 400 400 400 400 400"),
    "smart:configuration": (PUBLIC, ALL_405),
    "smart:disconnect": (GET_ONLY, "login 404 404 404 404 404 404 404"),
    "smart:introspect": ("403 403 403 403 403 403 403 403", "403 403 403 403 403 403 403 403"),
    "smart:my_apps": (PERSON, GET_ONLY),
    "smart:revoke": (ALL_405, "400 400 400 400 400 400 400 400"),
    "smart:token": (ALL_405, "400 400 400 400 400 400 400 400"),
    "set_language": (
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
}

SECRETS = ("Secretname", "Secretcondition", "Secretmedicine")
MAY_READ_ALICE = {"owner", "proxy", "pro_granted"}
# Roles that may open one of Alice's objects on a route besides those (her help question is
# read by the help centre's advisors).
# Dr Plain's request for access is his own object as much as Alice's.
ALSO_SEES_HER_OBJECT = {
    "helpdesk:request": {"advisor"},
    "helpdesk:close": {"advisor"},
    "coffre:pro_request_withdraw": {"pro_plain"},
}
ROUTES = all_routes()
OBJECT_KWARGS_OF = {r.name: r for r in ROUTES}


def _how_to_add(route) -> str:
    return (
        f"The route {route.name!r} ({route.pattern}) has no rule in "
        f"tests/test_every_route_permissions.py. Add to RULES a line\n"
        f'    "{route.name}": (GET, POST),\n'
        f"where GET and POST say what each role gets, in the order {' '.join(ROLES)}: "
        f"a profile (PUBLIC, SIGNED_IN, PERSON, PRO, RECORD_PRO, ...) or 8 words among ok, "
        f"login, redirect, 400, 401, 403, 404, 405, 409. Then run this file."
    )


def test_every_route_has_a_rule():
    missing = [_how_to_add(r) for r in ROUTES if r.name not in RULES]
    assert not missing, "\n\n".join(missing)


def test_a_route_without_a_rule_says_which_and_how_to_add_one():
    message = _how_to_add(Route("care:new_page", "soins/nouveau/", ()))
    assert "'care:new_page' (soins/nouveau/) has no rule" in message
    assert '"care:new_page": (GET, POST),' in message


def test_every_rule_names_a_route():
    stale = sorted(set(RULES) - {r.name for r in ROUTES})
    assert not stale, f"RULES names routes the URL conf no longer has: {stale}"


@pytest.mark.parametrize("rule", sorted(RULES.items()), ids=lambda r: r[0])
def test_every_rule_is_eight_answers(rule):
    for words in rule[1]:
        assert len(words.split()) == len(ROLES), rule[0]


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    """The people, once for the module, in a transaction rolled back at its end (each test
    runs in a savepoint inside it: what a POST changes is undone after the test)."""
    with django_db_blocker.unblock():
        atomics = [transaction.atomic(using=db) for db in connections]
        for a in atomics:
            a.__enter__()
        try:
            people = make_people()
            yield people, sign_in_everyone(people)
        finally:
            for db in connections:
                transaction.set_rollback(True, using=db)
            for a in reversed(atomics):
                a.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _confirmed_for_the_whole_module(settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 3600


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route(base, route, role):
    assert route.name in RULES, _how_to_add(route)
    people, cookies = base
    url = fill(route, people)
    n = ROLES.index(role)
    for method, expected in zip(("get", "post"), RULES[route.name], strict=True):
        want = expected.split()[n]
        response = getattr(client_for(role, cookies, route), method)(url)
        got = answer(response)
        assert got == want, (
            f"{route.name}: {method.upper()} {url} as {role}: {got}, the rule says {want}"
        )
        if role not in MAY_READ_ALICE:
            body = _body(response)
            leaked = [s for s in SECRETS if s in body]
            assert not leaked, (
                f"{route.name}: {method.upper()} {url} as {role} shows Alice's {leaked}"
            )
        elsewhere = fill(route, people, absent=True)
        may_see = MAY_READ_ALICE | {"anonymous"} | ALSO_SEES_HER_OBJECT.get(route.name, set())
        if role not in may_see and elsewhere != url:
            absent = getattr(client_for(role, cookies, route), method)(elsewhere)
            assert (absent.status_code, absent.get("Location"), templates(absent)) == (
                response.status_code,
                response.get("Location"),
                templates(response),
            ), (
                f"{route.name}: {method.upper()} {url} as {role}: Alice's object answers unlike an absent one"
            )
