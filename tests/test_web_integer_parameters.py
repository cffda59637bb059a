"""A page's integer parameter, however large or negative, never turns into a 500: the access
history, the sharing list and the emergency chat's polling read it as a bounded number."""

from tests.helpers import citizen


def test_huge_and_negative_page_offsets_are_read_as_bounded_numbers(client):
    user = citizen("pages@example.org")
    client.force_login(user)
    for value in ["60687449478875213463552", "-60687449478875213463552", "9223372036854775808"]:
        r = client.get(f"/historique/?depuis={value}")
        assert r.status_code == 200, value
        r = client.get(f"/partage/elements/?kind=results&depuis={value}")
        assert r.status_code == 200, value
