import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The only kinds of people who hold an account.

    Banks, insurers, employers and marketers are deliberately absent: no account, grant
    or purpose can express them, and a database constraint refuses any other value.
    """

    CITIZEN = "citizen", _("Citizen")
    PRACTITIONER = "practitioner", _("Health professional")
    ADVISOR = "advisor", _("Advisor at a public help point")
    RESEARCHER = "researcher", _("Researcher")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    rpps = models.CharField(
        _("RPPS number"),
        max_length=11,
        blank=True,
        default="",
        help_text=_("The 11-digit national identifier of a health professional."),
    )
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    # « Facile à lire »: the main pages in easy-read words, with pictograms (carnet.web.easy_read).
    easy_read = models.BooleanField(_("easy-read pages"), default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_is_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="practitioner") | ~models.Q(rpps=""),
                name="practitioner_has_rpps",
            ),
            models.UniqueConstraint(
                fields=["rpps"], condition=~models.Q(rpps=""), name="rpps_unique"
            ),
        ]

    def __str__(self):
        return self.display_name or self.email

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.role == Role.PRACTITIONER:
            if not (self.rpps.isdigit() and len(self.rpps) == 11):
                raise ValidationError(
                    {"rpps": _("A health professional needs an 11-digit RPPS number.")}
                )
        elif self.rpps:
            raise ValidationError({"rpps": _("Only health professionals have an RPPS number.")})


class Patient(models.Model):
    """A person's health record space. Its id is the ``patient_id`` of every row of theirs.

    The owner is the citizen account that holds the record; a record may exist before its
    owner signs in (imported from a bundle). Nothing about the person's health is here:
    their name and details are in their encrypted FHIR Patient resource.
    """

    owner = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"patient {self.pk}"


class AccessToken(models.Model):
    """A personal access token for the FHIR API. Only its SHA-256 is stored."""

    PREFIX = "carnet_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SessionIndex(models.Model):
    """Where a person is signed in, whatever the session store (database, cache, files).

    Written at sign-in, removed at sign-out and when a session is closed from the account
    page. The session key itself is kept encrypted (``vault.session_keys``): a copy of this
    table alone opens no session. ``sid`` is the hash the account page shows.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_index")
    sid = models.CharField(max_length=32, unique=True)
    sealed_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"session {self.sid[:8]}… of user {self.user_id}"
