"""« Facile à lire » (easy-read, FALC): the main pages said simply, with pictograms.

A person turns it on from the switch in the header of every page (``switch``) or on their
account page; a signed-in person keeps it on their account (``User.easy_read``), a visitor in
a cookie. A page that has an easy-read version is listed in ``PAGES``; its view renders
``template_for(request, name)``: the easy-read template when the mode is on, else the usual
one. Both templates get the same context from the same view: the easy-read page shows the same
data, said simply, and nothing the usual page would not.

The same pages, and each item of the record, have an « Écouter » (read aloud) button
(``READ_ALOUD``; the button and its script are in ``web/easy_read_bar.html``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

COOKIE = "carnet_easy_read"
COOKIE_AGE = 365 * 24 * 3600

# URL name of each page that has an easy-read version -> its usual template. The easy-read
# template of "app/page.html" is "app/easy/page.html" (``easy_template``).
PAGES: dict[str, str] = {
    "home": "web/home.html",
    "reminders:index": "reminders/index.html",
    "coffre:sharing": "coffre/sharing.html",
    "coffre:history": "coffre/history.html",
    "records:card": "records/card.html",
    "helpdesk:index": "helpdesk/index.html",
    "account_signup": "account/signup.html",
}
_TEMPLATES = frozenset(PAGES.values())

# Pages with the « Écouter » button: the easy-read pages and each item of the record.
READ_ALOUD = frozenset({*PAGES, "records:item"})


def easy_template(name: str) -> str:
    """The easy-read version of a usual template: "web/home.html" -> "web/easy/home.html"."""
    folder, _slash, page = name.rpartition("/")
    return f"{folder}/easy/{page}"


def is_on(request: HttpRequest) -> bool:
    """Easy-read is on: the person's choice once signed in, the visitor's cookie otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(getattr(user, "easy_read", False))
    return request.COOKIES.get(COOKIE) == "1"


def template_for(request: HttpRequest, name: str) -> str:
    """The template a page of ``PAGES`` renders: its easy-read version when the mode is on."""
    if name in _TEMPLATES and is_on(request):
        return easy_template(name)
    return name


def reads_aloud(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in READ_ALOUD


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Turn easy-read on ("1") or off ("0"), then back to the page the person was on."""
    value = request.POST.get("easy_read")
    if value not in ("0", "1"):
        return HttpResponse(
            _("Choose whether to turn easy-read on or off."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    on = value == "1"
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    if request.user.is_authenticated and request.user.easy_read != on:
        request.user.easy_read = on
        request.user.save(update_fields=["easy_read"])
    # The cookie keeps the choice for the pages read signed out (sign-up, help) as well.
    if on:
        response.set_cookie(
            COOKIE,
            "1",
            max_age=COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
