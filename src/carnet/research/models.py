"""The person's choice to contribute, the pseudonymised analytics copy, the budget ledger.

``Contribution`` holds a person's choices (``patient_id``) and no pseudonym: it is deleted
with the person's last consent or with their account. ``Fact`` is the analytics copy: a
pseudonym, the purposes the person contributes to now, an age band, a sex, a département, an
ISO week, a resource type, one ``system|code`` and a measurement bucket; no name, no free
text, no exact date. The pseudonym is keyed (``carnet.vault.research_keys.pseudonym_of``: an
HMAC of the patient id under a key in the key store), so no table of this database links a
person to their rows: only the service, which holds the key, recomputes it.
Researchers never read either table: they receive noisy aggregate counts (``queries``).
"""

from django.db import models

PURPOSES = ("research", "watch")


class Contribution(models.Model):
    """A person's consent per purpose (off by default: no row means off)."""

    patient_id = models.BigIntegerField(unique=True)
    research = models.BooleanField(default=False)
    watch = models.BooleanField(default=False)
    changed_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True)


class Fact(models.Model):
    """One coded item of a contributor, minimised (one row per coding of the item)."""

    pseudonym = models.CharField(max_length=32)  # vault.research_keys.pseudonym_of
    # The purposes the person contributes to now (kept in step with ``Contribution``).
    research = models.BooleanField(default=False)
    watch = models.BooleanField(default=False)
    age_band = models.CharField(max_length=8)  # "0-9", "10-19", …, "80+", "" unknown
    sex = models.CharField(max_length=8)  # female, male, other, unknown
    departement = models.CharField(max_length=3)  # "31", "2A", "974", "" unknown
    week = models.CharField(max_length=8)  # ISO week "2026-W49"
    resource_type = models.CharField(max_length=32)
    code = models.CharField(max_length=160)  # "system|code"
    bucket = models.CharField(max_length=24, blank=True)  # a measurement's range

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "code", "week"], name="research_fact_code"),
            models.Index(fields=["pseudonym"], name="research_fact_pseudonym"),
        ]


class LedgerEntry(models.Model):
    """One question a researcher asked (or a weekly watch release): the ε it spent and what
    was released, hash-chained per researcher like the access history."""

    researcher_id = models.BigIntegerField()  # 0: the public epidemic watch
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    period = models.CharField(max_length=7)  # "2026-12": the budget's month
    epsilon = models.FloatField()
    question = models.TextField()  # JSON
    answer = models.TextField()  # JSON: the released (noisy, suppressed) cells
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["researcher_id", "seq"], name="research_ledger_seq"),
            models.CheckConstraint(condition=models.Q(epsilon__gt=0), name="research_eps_pos"),
        ]


class LedgerHead(models.Model):
    """The latest entry of each researcher's chain: removing entries off the end (to get ε
    back) is noticed too."""

    researcher_id = models.BigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)


class WatchRelease(models.Model):
    """The epidemic watch's release of one signal for one finished ISO week (computed once)."""

    week = models.CharField(max_length=8)
    signal = models.CharField(max_length=32)
    ledger_seq = models.PositiveBigIntegerField()
    cells = models.TextField()  # JSON

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "signal"], name="research_watch_once")
        ]
