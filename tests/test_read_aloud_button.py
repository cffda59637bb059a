"""« Écouter »: the read-aloud button is on the easy-read list's pages and on each item of the
record, hidden until its script finds the browser's speech synthesis (the page works without
JavaScript), and its script is Carnet's own file (no other server is ever asked)."""

from __future__ import annotations

from django.urls import reverse

from carnet.web import easy_read

from .helpers import citizen, import_file, synthea

BUTTON = '<button type="button" class="tool-button read-aloud" data-read-aloud-button'


def _header(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split("</header>", 1)[0]


def test_each_page_of_the_list_and_each_item_has_the_button(client):
    me = citizen()
    result = import_file(me, synthea())
    item = next(i for t, i, _v in result.locations if t == "Condition")
    visitor = client.__class__()
    client.force_login(me)
    for name in sorted(easy_read.READ_ALOUD):
        url = reverse(name, args=[item]) if name == "records:item" else reverse(name)
        who = visitor if name == "account_signup" else client  # signed in, it sends home
        header = _header(who.get(url))
        button = header.split(BUTTON, 1)[1].split(">", 1)[0]
        assert "hidden" in button, f"{name}: shown before the script checks speech synthesis"
        assert '<script src="/static/carnet/read-aloud.js" defer></script>' in header, name
    assert BUTTON not in _header(client.get(reverse("accounts:account")))
