"""An emergency access ends by itself: past its time, the page says so and shows nothing."""

from django.urls import reverse
from django.utils import timezone

from carnet.access.models import EmergencyAccess

from .emergency import emergency_doctor, readable_record


def test_the_record_closes_when_the_time_is_over(client, monkeypatch):
    owner, pid, _made = readable_record()
    client.force_login(emergency_doctor())
    client.post(reverse("coffre:emergency"), {"email": owner.email, "reason": "malaise"})
    session = EmergencyAccess.objects.get(patient_id=pid)
    url = reverse("coffre:emergency_record", args=[pid])
    monkeypatch.setattr(
        timezone, "now", lambda: session.expires_at - (session.expires_at - session.started_at) / 2
    )
    half = client.get(url)
    assert half.status_code == 200 and 'data-part="h">2<' in half.content.decode()
    monkeypatch.setattr(timezone, "now", lambda: session.expires_at)
    over = client.get(url)
    assert over.status_code == 404
    assert "Metformine" not in over.content.decode()
    assert reverse("coffre:emergency").encode() in over.content  # how to open it again
