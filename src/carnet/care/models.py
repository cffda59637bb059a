from django.db import models


# Labels stay untranslated: nothing here is shown to people yet (the search page will
# carry its own translated strings).
class EntrySource(models.TextChoices):
    RPPS = "rpps", "public directory extract"
    FHIR = "fhir", "Annuaire Santé FHIR"


class DirectoryEntry(models.Model):
    """One practitioner's public professional listing at one place of practice.

    Shared reference data, not a person's health data: it comes from the public
    Annuaire Santé extract (one row per activity, so a practitioner working at two
    sites has two entries) and is stored in clear. ``national_id`` is the type-prefixed
    identifier ("8" + RPPS, "0" + ADELI); (national_id, activity_key) is the upsert key.

    The ``*_norm`` columns hold accent- and case-folded text (``directory.fold``) so that
    search is a prefix range on a B-tree index on SQLite and PostgreSQL alike.
    """

    source = models.CharField(max_length=8, choices=EntrySource.choices)
    id_type = models.CharField(max_length=2, blank=True)
    identifier = models.CharField(max_length=20)
    national_id = models.CharField(max_length=24)
    activity_key = models.CharField(max_length=120, blank=True)
    rpps = models.CharField(max_length=11, blank=True)

    civility = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    profession_code = models.CharField(max_length=10, blank=True)
    profession = models.CharField(max_length=150, blank=True)
    specialty_code = models.CharField(max_length=10, blank=True)
    specialty = models.CharField(max_length=200, blank=True)
    practice_mode = models.CharField(max_length=60, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.CharField(max_length=200, blank=True)

    name_norm = models.CharField(max_length=300, blank=True)  # "last first"
    name_rev_norm = models.CharField(max_length=300, blank=True)  # "first last"
    profession_norm = models.CharField(max_length=150, blank=True)
    specialty_norm = models.CharField(max_length=200, blank=True)
    town_norm = models.CharField(max_length=150, blank=True)

    import_run = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "directory entry"
        verbose_name_plural = "directory entries"
        constraints = [
            models.UniqueConstraint(
                fields=["national_id", "activity_key"], name="directory_activity_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["name_norm"], name="dir_name"),
            models.Index(fields=["name_rev_norm"], name="dir_name_rev"),
            models.Index(fields=["profession_norm", "name_norm"], name="dir_profession"),
            models.Index(fields=["specialty_norm", "name_norm"], name="dir_specialty"),
            models.Index(
                fields=["town_norm", "profession_norm", "name_norm"], name="dir_town_profession"
            ),
            models.Index(fields=["postcode", "profession_norm"], name="dir_postcode"),
            models.Index(fields=["rpps"], name="dir_rpps"),
        ]

    def __str__(self):
        return f"{self.last_name} {self.first_name} ({self.national_id})"
