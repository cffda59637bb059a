"""Deny by default: only the two participants read or write a chat; anyone else gets 404."""

import pytest
from django.urls import reverse

from carnet.access.services import Actor
from carnet.chat import services

from .chat import on_call_doctor, opened, person
from .people import pro


@pytest.fixture
def chat():
    user, pid = person()
    doctor = on_call_doctor()
    chat = opened(user, pid, share=True)
    services.take(Actor.of_user(doctor), chat.pk)
    services.send(Actor.of_user(user), chat.pk, "secret")
    return chat


def urls(chat_id):
    return [
        ("get", reverse("chat:room", args=[chat_id])),
        ("post", reverse("chat:room", args=[chat_id])),
        ("get", reverse("chat:poll", args=[chat_id])),
        ("get", reverse("chat:dataset", args=[chat_id])),
        ("post", reverse("chat:close", args=[chat_id])),
    ]


@pytest.mark.parametrize("who", ["citizen", "practitioner", "practitioner_on_call"])
def test_strangers_get_404_everywhere(client, chat, who):
    if who == "citizen":
        stranger, _pid = person("Léa Petit", allergy=False)
    elif who == "practitioner":
        stranger = pro("Dr Paul Noir", profession="médecin généraliste")
    else:
        stranger = on_call_doctor("Dr Zoé Garde")
    client.force_login(stranger)
    for method, url in urls(chat.pk):
        answer = getattr(client, method)(url, {"text": "hello"} if method == "post" else {})
        assert answer.status_code == 404, (who, url)
        assert "secret" not in answer.content.decode()
    actor = Actor.of_user(stranger)
    for call in (services.lines, services.close, services.dataset):
        with pytest.raises(services.NotFound):
            call(actor, chat.pk)
    with pytest.raises(services.NotFound):
        services.send(actor, chat.pk, "hello")
    chat.refresh_from_db()
    assert chat.status == "open"


def test_the_person_cannot_read_the_dataset_page_and_signed_out_visitors_sign_in(client, chat):
    from carnet.accounts.models import User

    client.force_login(User.objects.get(pk=chat.started_by_id))
    assert client.get(reverse("chat:dataset", args=[chat.pk])).status_code == 404
    client.logout()
    answer = client.get(reverse("chat:room", args=[chat.pk]))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
