"""Reading « Mes vaccinations » and the home count as a person sees them (shared by its tests)."""

from __future__ import annotations

import html
import re


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def listed(body: str) -> list[str]:
    """The items of the page's list of vaccines, as text."""
    section = body.split('id="vaccins"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<li class="rm-item[^"]*">(.*?)</li>', section, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", i)).strip() for i in items]


def home_count(body: str) -> int:
    found = re.search(r"Vaccins <span class=\"count\">(\d+)</span>", body)
    assert found, "home counts the vaccines"
    return int(found.group(1))
