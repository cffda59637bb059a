"""`carnet check`: an install that is whole and safe passes; each problem (a record without
its data key, a broken access history, a migration not applied on either database, a master
key file others may read, unsafe production settings) is named with what to do, and the
command exits non-zero."""

import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.recorder import MigrationRecorder

from carnet.access.models import AuditEntry
from carnet.vault import services as vault
from carnet.vault.models import DataKey

from .cli import carnet
from .fhir_api import citizen, import_into


@pytest.fixture
def install(settings):
    """Production-like settings, and a citizen with a record (and an access history)."""
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
    settings.ALLOWED_HOSTS = ["carnet.example.org"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.CARNET_SMS_BACKEND = "http"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    vault.ensure_master_key()
    os.chmod(settings.MASTER_KEY_FILE, 0o600)
    user, _auth = citizen("lea@example.org")
    return import_into(user)


def check(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("check", *args, stdout=out, stderr=err)
    return err.getvalue(), str(raised.value)


def test_a_whole_and_safe_install_passes(install):
    out, err = check()
    assert "Tout est en ordre." in out
    assert "✓ clés de données: 1 dossiers, chacun avec sa clé de données" in out
    assert "✓ historiques des accès" in out and "✓ migrations des bases de données" in out
    assert err == ""


def test_a_record_without_its_key_is_named_with_what_to_do(install):
    DataKey.objects.filter(patient_id=install).delete()
    err, summary = failing()
    assert f"1 dossier n’a pas de clé de données dans le magasin de clés (patient {install})" in err
    assert "carnet restore FICHIER.keystore" in err
    assert summary == "1 problème trouvé."


def test_a_broken_access_history_is_named(install):
    AuditEntry.objects.filter(patient_id=install, seq=1).update(action="forged")
    err, _ = failing()
    assert f"patient {install}, entry 1: content was changed" in err


@pytest.mark.parametrize("alias", ["default", "keystore"])
def test_a_migration_not_applied_is_named_on_either_database(install, alias):
    recorder = MigrationRecorder.Migration.objects.using(alias)
    last = recorder.filter(app="records").order_by("-id").first()
    recorder.filter(pk=last.pk).delete()
    err, _ = failing()
    assert f"base {alias} : 1 migrations non appliquées (records." in err
    assert ("carnet migrate --database keystore" in err) == (alias == "keystore")


def test_a_master_key_file_others_may_read_is_named(install, settings):
    os.chmod(settings.MASTER_KEY_FILE, 0o644)
    try:
        err, _ = failing()
    finally:
        os.chmod(settings.MASTER_KEY_FILE, 0o600)
    assert f"chmod 600 {settings.MASTER_KEY_FILE}" in err and "mode 644" in err
    assert "peut être lu par d’autres utilisateurs" in err


def test_unsafe_production_settings_are_each_named(install, settings):
    settings.DEBUG = True
    settings.SECRET_KEY = "django-insecure-changeme"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SESSION_COOKIE_SECURE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.CARNET_SMS_BACKEND = "console"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    err, summary = failing()
    for words in (
        "DEBUG est activé",
        "CARNET_SECRET_KEY",
        "accepte n’importe quel nom d’hôte",
        "CARNET_HTTPS=1",
        "CARNET_EMAIL_URL",
        "CARNET_SMS_BACKEND=http",
        "Argon2",
    ):
        assert words in err, words
    assert summary == "7 problèmes trouvés."
    out, _err = check("--skip", "settings")
    assert "Tout est en ordre." in out


@pytest.mark.no_db
def test_the_command_has_help_and_exits_non_zero(tmp_path):
    help_text = carnet(tmp_path, "check", "--help").stdout
    assert "FICHIER.keystore" in help_text and "0600" in help_text
    carnet(tmp_path, "migrate", "--noinput", "-v0")
    result = carnet(tmp_path, "check", check=False)
    assert result.returncode != 0
    assert "base keystore" in result.stderr and "migrate --database keystore" in result.stderr
    assert "DEBUG" not in result.stderr  # a fresh install has DEBUG off
