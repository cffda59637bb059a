"""Shared set-up of the help-centre tests (no test here): people made through the real services."""

from __future__ import annotations

import itertools

from django.urls import reverse

from carnet.accounts import services as accounts
from carnet.helpdesk import services as helpdesk

from .test_sharing_page import PASSWORD, citizen, english, pro

__all__ = ["advisor", "ask", "citizen", "english", "pro", "thread_url"]

_n = itertools.count(1)


def advisor(name: str = "Élodie Lalande"):
    return accounts.create_user(
        f"advisor-{next(_n)}@example.org",
        PASSWORD,
        role="advisor",
        display_name=name,
        organisation="Maison France Services",
        language="en",
    )


def ask(user, subject: str = "Je n'arrive pas à partager", text: str = "Comment faire ?"):
    return helpdesk.ask(user, subject, text)


def thread_url(req) -> str:
    return reverse("helpdesk:request", args=[req.pk])
