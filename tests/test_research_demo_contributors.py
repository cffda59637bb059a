"""The demo has contributors, so that Anne's workspace and the watch show figures."""

from django.utils import timezone

from carnet.research import demo, queries
from carnet.research.models import Contribution, Fact


def test_the_demo_contributors_chose_both_purposes_and_reruns_change_nothing():
    today = timezone.localdate()
    assert demo.load(today, 14) == 14
    assert demo.load(today, 14) == 0
    assert Contribution.objects.filter(research=True, watch=True).count() == 14
    assert Fact.objects.exists() and not Fact.objects.filter(code__contains="Grippe").exists()
    q = queries.question(
        {"resource": "Observation", "code": "http://loinc.org|8480-6", "epsilon": 1, "weeks": 12}
    )
    counts, counted = queries.true_counts(q, "research", today)
    assert sum(counts.values()) == 14 == len(counted)
