"""The Content-Security-Policy lets the chat page open its WebSocket to the same origin only.

CSP Level 3 matches ``ws:``/``wss:`` to the page's own host under ``'self'``; the chat
relies on ``default-src 'self'`` (no ``connect-src`` narrowing it, and no wildcard
widening it). The browser test (test_browser_chat) proves Chromium connects with no
policy violation.
"""

from django.urls import reverse

from carnet.web.security import CONTENT_SECURITY_POLICY

from .chat import opened, person
from .people import english


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_the_chat_page_may_connect_to_its_own_origin_and_nowhere_else(client):
    user, pid = person(allergy=False)
    chat = opened(user, pid)
    english(client).force_login(user)
    page = client.get(reverse("chat:room", args=[chat.pk]))
    policy = directives(page["Content-Security-Policy"])
    connect = policy.get("connect-src", policy["default-src"])
    assert connect == ["'self'"]
    assert not any(v in ("ws:", "wss:", "*") for v in connect)
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "chat/chat.js" in page.content.decode()
