"""`carnet check`: is this install whole and safe to run? Each check names each problem
and what to do about it; nothing is changed.

- keys: every record has its data key in the key store, and every data key opens with a
  master key of the ring (a main database restored without FILE.keystore fails here);
- audit: every access history verifies (as `carnet audit verify`);
- migrations: both databases (main and key store) are fully migrated;
- master key: the key ring file exists, reads, and only its owner may read it (0600);
- production settings: DEBUG off, a strong secret key, real host names, HTTPS cookies,
  emails and SMS really sent, Argon2 passwords, and Django's own system checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core import checks as django_checks
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carnet.access import audit
from carnet.vault import services as vault

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
SHOWN = 5  # ids named in a message, at most


@dataclass
class Check:
    name: str
    problems: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _some(ids) -> str:
    ids = list(ids)
    shown = ", ".join(str(i) for i in ids[:SHOWN])
    return shown + ("…" if len(ids) > SHOWN else "")


def check_keys() -> Check:
    result = Check(_("data keys"))
    patients = list(apps.get_model("accounts", "Patient").objects.values_list("pk", flat=True))
    missing = vault.missing_data_keys(patients)
    if missing:
        result.problems.append(
            ngettext(
                "%(n)s record has no data key in the key store (patient %(ids)s): it cannot "
                "be read. Restore the key store saved with the backup: 'carnet restore "
                "FILE.keystore'.",
                "%(n)s records have no data key in the key store (patients %(ids)s): they "
                "cannot be read. Restore the key store saved with the backup: 'carnet "
                "restore FILE.keystore'.",
                len(missing),
            )
            % {"n": len(missing), "ids": _some(missing)}
        )
    if vault.master_key_file_state()[0] == "ok":
        for kid, n in sorted(vault.keys_under_unknown_master_keys().items()):
            result.problems.append(
                _(
                    "%(n)s data keys are wrapped by master key %(kid)s, which is not in the "
                    "key ring (%(path)s): put back the key ring that made them."
                )
                % {"n": n, "kid": kid, "path": settings.MASTER_KEY_FILE}
            )
    result.summary = _("%(n)s records, each with its data key") % {"n": len(patients)}
    return result


def check_audit() -> Check:
    result = Check(_("access histories"))
    checked, problems = audit.verify_all()
    for p in problems:
        result.problems.append(
            _("the access history does not verify: %(p)s (see 'carnet audit verify')") % {"p": p}
        )
    result.summary = _("%(n)s entries verified") % {"n": checked}
    return result


def check_migrations() -> Check:
    result = Check(_("database migrations"))
    for alias in settings.DATABASES:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            command = "carnet migrate" + ("" if alias == "default" else f" --database {alias}")
            result.problems.append(
                _("database %(db)s: %(n)s migrations not applied (%(names)s): run '%(command)s'")
                % {"db": alias, "n": len(names), "names": _some(names), "command": command}
            )
    result.summary = _("both databases up to date")
    return result


def check_master_key() -> Check:
    result = Check(_("master key file"))
    state, path, mode = vault.master_key_file_state()
    if state == "missing":
        result.problems.append(
            _("the master key file %(path)s does not exist (CARNET_MASTER_KEY_FILE)")
            % {"path": path}
        )
    elif state == "open":
        result.problems.append(
            _(
                "the master key file %(path)s may be read by other users (mode %(mode)s): "
                "run 'chmod 600 %(path)s'"
            )
            % {"path": path, "mode": f"{mode:o}"}
        )
    elif state == "unreadable":
        result.problems.append(
            _("the master key file %(path)s cannot be read as a key ring") % {"path": path}
        )
    result.summary = _("%(path)s, mode 600") % {"path": path}
    return result


def check_production_settings() -> Check:
    result = Check(_("production settings"))
    add = result.problems.append
    if settings.DEBUG:
        add(_("DEBUG is on: it shows internals to anyone; unset CARNET_DEBUG"))
    key = settings.SECRET_KEY or ""
    if len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5:
        add(_("the secret key is short or a default: set CARNET_SECRET_KEY (50 random characters)"))
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        add(_("ALLOWED_HOSTS accepts any host name: set CARNET_ALLOWED_HOSTS to the site's name"))
    elif hosts <= LOCAL_HOSTS:
        add(
            _(
                "ALLOWED_HOSTS names only this machine (%(hosts)s): set CARNET_ALLOWED_HOSTS "
                "to the site's name"
            )
            % {"hosts": ", ".join(sorted(hosts))}
        )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        add(_("session cookies may travel without HTTPS: serve over HTTPS and set CARNET_HTTPS=1"))
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "filebased.EmailBackend")):
        add(_("emails are printed, not sent: set CARNET_EMAIL_URL"))
    if getattr(settings, "CARNET_SMS_BACKEND", "") in ("console", "file"):
        add(
            _("text messages are printed, not sent: set CARNET_SMS_BACKEND=http and CARNET_SMS_URL")
        )
    if not settings.PASSWORD_HASHERS or "Argon2" not in settings.PASSWORD_HASHERS[0]:
        add(_("passwords are not hashed with Argon2 first (PASSWORD_HASHERS)"))
    for message in django_checks.run_checks(include_deployment_checks=False):
        if message.level >= django_checks.ERROR:
            add(_("Django system check %(id)s: %(msg)s") % {"id": message.id, "msg": message.msg})
    result.summary = _("DEBUG off, secret key, host names, HTTPS cookies, email and SMS")
    return result


CHECKS = {
    "migrations": check_migrations,
    "master-key": check_master_key,
    "keys": check_keys,
    "audit": check_audit,
    "settings": check_production_settings,
}


def run(skip: tuple[str, ...] = ()) -> list[Check]:
    results = []
    for name, fn in CHECKS.items():
        if name in skip:
            continue
        try:
            results.append(fn())
        except (DatabaseError, vault.VaultError) as exc:
            # A database not migrated, a key ring that does not read: named, not a traceback.
            failed = Check(name)
            failed.problems.append(
                _("this check could not run (%(error)s)") % {"error": str(exc)[:200]}
            )
            results.append(failed)
    return results
