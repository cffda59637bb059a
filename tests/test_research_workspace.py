"""Anne asks a question in her workspace: a table with intervals, her budget, her past questions."""

from django.urls import reverse
from django.utils import timezone

from carnet.research import queries

from . import people
from .research import FLU, synthetic


def test_the_researcher_asks_in_a_form_and_sees_the_answer(client):
    anne = people.researcher("Anne Ramonville")
    people.with_totp(anne)
    client.force_login(anne)
    people.english(client)
    week = queries.window(1, timezone.localdate())[0]
    synthetic([("40-49", "female", "31", week)] * 40)
    page = client.post(
        reverse("research:workspace"),
        {"resource": "Condition", "code": FLU, "epsilon": "1", "weeks": "2", "group_by": ["sex"]},
    )
    html = page.content.decode()
    assert page.status_code == 200, html[:2000]
    assert "Likely range (95 in 100)" in html and '<th scope="row">female</th>' in html
    assert '<svg role="img"' in html and "female: " in html  # the chart, with its words
    assert "3 groups hidden" in html and "of 5.00" in html and "Your past questions" in html
    refused = client.post(reverse("research:workspace"), {"resource": "Condition", "code": "x"})
    assert refused.status_code == 400 and "system|code" in refused.content.decode()


def test_a_citizen_has_no_workspace(client):
    client.force_login(people.citizen())
    assert client.get(reverse("research:workspace")).status_code == 404


def test_the_researchers_home_leads_to_the_workspace(client):
    anne = people.researcher("Anne Ramonville")
    people.with_totp(anne)
    client.force_login(anne)
    page = client.get("/").content.decode()
    assert reverse("research:workspace") in page and "pas encore disponible" not in page
