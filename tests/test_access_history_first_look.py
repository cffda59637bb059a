"""The person is told when a practitioner looks at their record for the first time."""

from carnet.access import grants
from carnet.access.services import Actor
from carnet.notify.models import Message

from .access_records import can_read, record_with_items
from .people import citizen, pro


def test_the_first_look_is_told_once(django_capture_on_commit_callbacks):
    owner, pid, made = record_with_items(citizen())
    physio = pro()
    grants.share(Actor.of_user(owner), pid, physio.pk, categories=["measurements", "results"])
    with django_capture_on_commit_callbacks(execute=True):
        assert can_read(Actor.of_user(physio), made["knee"])
        assert can_read(Actor.of_user(physio), made["glucose"])
    told = Message.objects.filter(user=owner, event="first_look")
    assert told.filter(channel="in_app").count() == 1
    assert set(told.values_list("channel", flat=True)) == {"in_app", "email"}
