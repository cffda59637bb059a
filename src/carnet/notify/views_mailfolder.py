"""The demo mailbox: the messages Carnet would have emailed, for a demo on this computer."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from carnet.accounts.addresses import client_ip

from . import mailfolder


def _open(request) -> None:
    """404 unless the demo mailbox is on, mail goes to the folder, and the visitor is on
    this very computer: the messages hold sign-in links."""
    if not getattr(settings, "CARNET_DEMO_MAILBOX", False):
        raise Http404()
    if settings.EMAIL_BACKEND != "carnet.notify.mailfolder.FolderEmailBackend":
        raise Http404()
    try:
        if not ipaddress.ip_address(client_ip(request)).is_loopback:
            raise Http404()
    except ValueError:
        raise Http404() from None


def mailbox(request):
    _open(request)
    return render(request, "notify/mailbox.html", {"mails": mailfolder.messages()})


def mail(request, name: str):
    _open(request)
    found = mailfolder.message(name)
    if found is None:
        raise Http404()
    return render(request, "notify/mail.html", {"mail": found})
