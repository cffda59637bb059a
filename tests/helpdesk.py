"""Shared set-up of the help-centre tests (no test here): people made through the real services."""

from __future__ import annotations

from django.urls import reverse

from carnet.helpdesk import services as helpdesk


def ask(user, subject: str = "Je n'arrive pas à partager", text: str = "Comment faire ?"):
    return helpdesk.ask(user, subject, text)


def thread_url(req) -> str:
    return reverse("helpdesk:request", args=[req.pk])
