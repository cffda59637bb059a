"""The person's access history read back: "qui a vu quoi", filtered, in plain words, as FHIR.

Filters work on the public columns of the chain (who by account id, when, the decision,
the emergency flag) in SQL; only the page shown is decrypted. Emergencies flagged for
review come first, whatever the page. Reading one's history is not itself written to
it: it is not health data, and every look would push real accesses off the first page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Patient, User
from carnet.vault import sealed
from carnet.vault import services as vault

from . import services
from .models import AuditEntry, Grant, ItemMask, Proxy
from .services import Action, Actor, Permit

PAGE = 50
MAX_EXPORT = 5000
# Repeated refusals of one actor are shown as one line (« refusé 12 fois entre … et … »);
# the chain keeps every one of them, and the FHIR export lists each. A page looks this
# many entries ahead for the end of a run.
SCAN = PAGE * 20

# What happened, as a person would say it.
ACTION_WORDS = {
    "read": _("looked at"),
    "search": _("looked through"),
    "create": _("added"),
    "update": _("changed"),
    "delete": _("deleted"),
    "import": _("imported"),
    "export": _("downloaded"),
    "erase": _("erased"),
    "grant": _("gave access"),
    "revoke": _("withdrew access"),
    "mask": _("changed who sees an item"),
    "settings": _("changed the emergency settings"),
    "break_glass": _("opened the record in an emergency"),
    "appointments": _("managed appointments"),
    "messages": _("wrote messages"),
    "read_messages": _("read messages"),
}
# A practitioner's request that the person refused is written as a denied "grant".
ASKED = _("asked for access")

PURPOSE_WORDS = {
    "self": _("for yourself"),
    "treatment": _("for your care"),
    "emergency": _("emergency"),
    "proxy": _("on your behalf"),
    "assistance": _("help at a public help point"),
    "research": _("research"),
    "operations": _("platform operation asked by you or by law"),
    "app": _("through an app you connected"),
}

# An advisor's action at a public help point, the person present (``assistance``).
ASSISTED = _("with %(who)s, %(place)s, in your presence")

# The policy's reasons, in words a non-doctor understands.
REASON_WORDS = {
    "the person's own record": _("it is your own record"),
    "médecin traitant": _("your médecin traitant"),
    "sharing grant": _("you gave them access"),
    "no sharing grant": _("you have not given them access"),
    "item not shared with this person": _("this item is not shared with them"),
    "emergency access (break the glass)": _("emergency access"),
    "the person refused emergency access in advance": _("you refused emergency access"),
    "no emergency access in progress": _("no emergency access was open"),
    "the person refused the request": _("you refused their request"),
    "no proxy for this person": _("they have no proxy from you"),
    "not the person's own record": _("it is not their record"),
    "the proxy may not read": _("their proxy does not let them read your record"),
    "the proxy may not messages": _("their proxy does not let them write messages for you"),
    "the proxy may not read_messages": _("their proxy does not let them read your messages"),
    "the proxy may not appointments": _(
        "their proxy does not let them manage appointments for you"
    ),
    "only health professionals act for care": _("only health professionals act for care"),
    "error while deciding": _("Carnet could not check, so it refused"),
    "sharing grant does not allow create": _("your sharing lets them read, not add"),
    "sharing grant does not allow update": _("your sharing lets them read, not change"),
    "emergency access only reads": _("emergency access only lets them read"),
    "parent of a minor": _("parent of a minor"),
    "help at a public help point": _("you chose what they may do at the help point"),
    "the person gave a one-time code at the help point": _(
        "you gave them a one-time code at the help point"
    ),
    "the person gave a code and chose at the desk": _(
        "you gave them a code and chose with them, on their screen, what they may do"
    ),
    "help session ended by the person": _("you ended the help session"),
    "help session ended by the advisor": _("the advisor ended the help session"),
    "help session ended": _("the help session had ended"),
    "no help session": _("no help session was open"),
    "operator command on the person's or the law's request": _("operation asked by you or by law"),
}

# Refusals because an access ended: the history says when (from the grant or proxy itself).
ENDED_WORDS = {
    "sharing ended": _("your sharing with them ended on %(date)s"),
    "proxy ended": _("the proxy you gave them ended on %(date)s"),
}

# Kinds of items, for "what" (the resource type is a public column).
TYPE_WORDS = {
    "Observation": _("results and measurements"),
    "DiagnosticReport": _("results and measurements"),
    "Condition": _("health problems"),
    "AllergyIntolerance": _("allergies"),
    "MedicationRequest": _("treatments"),
    "MedicationStatement": _("treatments"),
    "Immunization": _("vaccines"),
    "Encounter": _("visits and hospital stays"),
    "Procedure": _("procedures and operations"),
    "DocumentReference": _("documents"),
    "Patient": _("your identity and emergency contacts"),
    "CarePlan": _("care plans"),
    "ImagingStudy": _("medical imaging"),
}


# The same kinds counted, for « a consulté 3 vaccins et 1 ordonnance » (ngettext: one, many).
COUNTED = {
    "Observation": ("%(n)s result or measurement", "%(n)s results and measurements"),
    "DiagnosticReport": ("%(n)s test report", "%(n)s test reports"),
    "Condition": ("%(n)s health problem", "%(n)s health problems"),
    "AllergyIntolerance": ("%(n)s allergy", "%(n)s allergies"),
    "MedicationRequest": ("%(n)s prescription", "%(n)s prescriptions"),
    "MedicationStatement": ("%(n)s treatment", "%(n)s treatments"),
    "Immunization": ("%(n)s vaccine", "%(n)s vaccines"),
    "Encounter": ("%(n)s visit or hospital stay", "%(n)s visits and hospital stays"),
    "Procedure": ("%(n)s procedure", "%(n)s procedures"),
    "DocumentReference": ("%(n)s document", "%(n)s documents"),
    "CarePlan": ("%(n)s care plan", "%(n)s care plans"),
    "ImagingStudy": ("%(n)s imaging exam", "%(n)s imaging exams"),
}
OTHER_COUNTED = ("%(n)s other item", "%(n)s other items")
# The kinds with "your", for what someone tried to see (nothing was opened: no count).
YOUR_KIND = {
    "Observation": _("your results and measurements"),
    "DiagnosticReport": _("your test reports"),
    "Condition": _("your health problems"),
    "AllergyIntolerance": _("your allergies"),
    "MedicationRequest": _("your prescriptions"),
    "MedicationStatement": _("your treatments"),
    "Immunization": _("your vaccines"),
    "Encounter": _("your visits and hospital stays"),
    "Procedure": _("your procedures and operations"),
    "DocumentReference": _("your documents"),
    "Patient": _("your identity and emergency contacts"),
    "CarePlan": _("your care plans"),
    "ImagingStudy": _("your medical imaging"),
}
# What someone did, as the verb of a sentence about them (« %(who)s a consulté … »).
DID = {
    "read": _("%(who)s looked at %(what)s."),
    "search": _("%(who)s looked at %(what)s."),
    "create": _("%(who)s added %(what)s."),
    "update": _("%(who)s changed %(what)s."),
    "delete": _("%(who)s deleted %(what)s."),
    "import": _("%(who)s imported %(what)s."),
    "export": _("%(who)s downloaded %(what)s."),
}
LOOKS = ("read", "search")
# The person's own changes to who sees what, each said in one sentence.
OWN_CHANGES = ("grant", "revoke", "mask", "settings")
MASK_WORDS = {
    "self": _("You hid %(what)s: only you see it."),
    "referent": _("You showed %(what)s to your médecin traitant only."),
    "care_team": _("You showed %(what)s to your care team again."),
}
SETTINGS_WORDS = {
    "emergency access refused": _("You refused emergency access to your record."),
    "emergency access accepted": _("You accepted emergency access to your record again."),
    "emergency card reset": _("You made a new emergency card: the old one no longer works."),
    "app connected by the person": _("you connected this app"),
    "app not connected": _("you have not connected this app"),
    "app disconnected": _("you disconnected this app"),
}


@dataclass(frozen=True)
class Filters:
    who: int | None = None  # an account id; 0 for the platform's own operations
    since: date | None = None
    until: date | None = None
    decision: str = ""  # "", "permit", "deny"
    include_own: bool = False


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor_id: int | None
    who: str
    profession: str
    organisation: str
    role: str
    is_you: bool
    action: str
    doing: str
    what: str
    purpose: str
    why: str
    reason: str
    allowed: bool
    because: str
    flagged: bool
    count: int
    # A run of refusals shown as one line: how many, and the oldest one's time (``at`` is
    # the newest's).
    times: int = 1
    first_at: datetime | None = None
    # In plain words: « Dr Martin, votre médecin traitant, a consulté 3 vaccins. » How many
    # items of each kind were opened (kinds and counts only); for a line that groups a run
    # of entries, ``members`` are the entries it groups (newest first), to unfold.
    sentence: str = ""
    subject: str = ""
    kinds: dict | None = None
    members: tuple = ()
    role_words: str = ""  # « votre médecin traitant », a profession, « qui agit pour vous »


@dataclass
class Page:
    flagged: list[Entry]
    entries: list[Entry]
    total: int
    offset: int
    people: list[tuple[int, str]]
    next_offset: int | None = None  # where the next page starts in the (ungrouped) entries

    @property
    def has_more(self) -> bool:
        return self.next_offset is not None


def _authorize(actor: Actor, patient_id: int) -> tuple[Permit, int | None, list[int]]:
    """The person (or whoever manages their record) only; returns the permit, the owner's
    account id and the entries this reader may not see (``_kept_from``)."""
    purpose = services.person_side(actor, patient_id, Action.GRANT, what="access history")
    if purpose == services.Purpose.ASSISTANCE:
        raise services.NotFound()  # the history is the person's own, never a help desk's
    decision = services.require(
        actor, patient_id, Action.GRANT, purpose, audit_now=False, what="access history"
    )
    owner = Patient.objects.filter(pk=patient_id).values_list("owner_id", flat=True).first()
    return decision, owner, _kept_from(decision)


def _kept_from(permit: Permit) -> list[int]:
    """Entries about items a minor keeps from their parents, for a parent reading the history.

    Each names its item ("Procedure/…" in the encrypted details): its creation, the
    doctor's note that it is confidential, every look at it. A parent sees none of them,
    so that the history hints at nothing (the chain keeps them all; the minor sees them).
    """
    view, patient_id = permit.view, permit.patient_id
    if view is None or not view.hide_parent_confidential:
        return []
    hidden = {
        f"{t}/{i}"
        for t, i in ItemMask.objects.filter(
            patient_id=patient_id, hide_from_parents=True
        ).values_list("resource_type", "fhir_id")
    }
    if not hidden:
        return []
    try:
        c = sealed.cipher(permit)
    except vault.KeyDestroyed:
        return []
    kept = []
    rows = AuditEntry.objects.filter(patient_id=patient_id).exclude(details=b"")
    for pk, blob in rows.values_list("pk", "details").iterator():
        what = json.loads(c.decrypt(bytes(blob), "audit")).get("what", "")
        if what.split(":", 1)[0].removesuffix("/_history") in hidden:
            kept.append(pk)
    return kept


def _bounds(d: date, end: bool) -> datetime:
    tz = timezone.get_current_timezone()
    moment = datetime.combine(d + timedelta(days=1) if end else d, time.min)
    return timezone.make_aware(moment, tz)


def _query(patient_id: int, owner_id: int | None, f: Filters, kept=()):
    qs = AuditEntry.objects.filter(patient_id=patient_id)
    if kept:
        qs = qs.exclude(pk__in=kept)
    if not f.include_own and owner_id is not None:
        # The person's own looks are left out; their changes to who sees what are kept.
        qs = qs.exclude(Q(actor_id=owner_id) & ~Q(action__in=OWN_CHANGES))
    if f.who == 0:
        qs = qs.filter(actor_id__isnull=True)
    elif f.who is not None:
        qs = qs.filter(actor_id=f.who)
    if f.since:
        qs = qs.filter(at__gte=_bounds(f.since, False))
    if f.until:
        qs = qs.filter(at__lt=_bounds(f.until, True))
    if f.decision in ("permit", "deny"):
        qs = qs.filter(decision=f.decision)
    return qs


def _people(patient_id: int, owner_id: int | None, kept=()) -> list[tuple[int, str]]:
    ids = set(
        AuditEntry.objects.filter(patient_id=patient_id)
        .exclude(pk__in=kept)
        .exclude(Q(actor_id=owner_id) | Q(actor_id__isnull=True))
        .values_list("actor_id", flat=True)
        .distinct()
    )
    users = User.objects.filter(pk__in=ids)
    out = []
    for u in users:
        label = str(u)
        if u.profession:
            label = f"{label} ({u.profession})"
        out.append((u.pk, label))
    return sorted(out, key=lambda p: p[1].lower())


def _entries(permit: Permit, owner_id: int | None, rows) -> list[Entry]:
    rows = list(rows)
    try:
        c = sealed.cipher(permit)
    except vault.KeyDestroyed:
        c = None
    users = {u.pk: u for u in User.objects.filter(pk__in={r.actor_id for r in rows if r.actor_id})}
    ends = _ends(permit.patient_id, rows)
    out = []
    for e in rows:
        details = {}
        if c is not None and e.details:
            details = json.loads(c.decrypt(bytes(e.details), "audit"))
        u = users.get(e.actor_id)
        is_you = e.actor_id is not None and e.actor_id == owner_id
        if e.actor_id is None:
            who = str(_("Carnet (the platform)"))
        else:
            who = str(u) if u else details.get("actor", "") or str(_("a closed account"))
        asked = e.action == "grant" and e.decision == "deny" and e.actor_role == "practitioner"
        doing = ASKED if asked else ACTION_WORDS.get(e.action, e.action)
        what = ""
        if e.resource_type:
            what = str(TYPE_WORDS.get(e.resource_type, _("other items")))
        elif e.action in ("grant", "revoke") and details.get("what"):
            # "Name: scope…" -> the name of the person given or refused access.
            # « proxy Sophie E. » / « parent Sophie E. » name Sophie E. (as ``_sentence`` does).
            what = details["what"].split(":", 1)[0].removeprefix("proxy ").removeprefix("parent ")
            if what in ("everyone",):
                what = str(_("everyone"))
            elif what == "share code":
                what = str(_("your share code"))
        why = str(PURPOSE_WORDS.get(e.purpose, e.purpose))
        organisation = (getattr(u, "organisation", "") if u else "") or details.get(
            "organisation", ""
        )
        if e.purpose == "assistance":
            # « with Claire D., France Services de Muret, in your presence »
            who = details.get("actor") or who
            organisation = details.get("organisation", "") or organisation
            why = str(ASSISTED % {"who": who, "place": organisation})
            if e.action in ("grant", "revoke") and what == "help session":
                what = str(_("a help session"))
            elif details.get("what") == "agenda entry added":
                doing, what = ACTION_WORDS["create"], str(_("a reminder in your agenda"))
        raw_reason = details.get("decision_reason", "")
        because = REASON_WORDS.get(raw_reason, "")
        profession = getattr(u, "profession", "") if u else ""
        if raw_reason.startswith("the help session does not allow"):
            because = _("you did not allow this for the help session")
        if raw_reason in ENDED_WORDS:
            ended = _ended_before(ends.get((raw_reason, e.actor_id), []), e.at)
            because = _("access you had given them has ended")
            if ended is not None:
                day = formats.date_format(timezone.localtime(ended), "DATE_FORMAT")
                because = ENDED_WORDS[raw_reason] % {"date": day}
        kinds = details.get("kinds")
        if not isinstance(kinds, dict):
            kinds = {e.resource_type: e.count} if e.resource_type and e.count else {}
        role = _role(e.actor_role, e.purpose, raw_reason, profession)
        subject = str(_("You")) if is_you else who
        sentence = _sentence(
            e.action,
            e.decision == "permit",
            asked,
            e.resource_type,
            kinds,
            details,
            is_you,
            (who, role),
            str(doing),
            str(because),
        )
        out.append(
            Entry(
                seq=e.seq,
                at=e.at,
                actor_id=e.actor_id,
                who=who,
                profession=getattr(u, "profession", "") if u else "",
                organisation=organisation,
                role=e.actor_role,
                is_you=is_you,
                action=e.action,
                doing=str(doing),
                what=what,
                purpose=e.purpose,
                why=why,
                reason=details.get("reason", ""),
                allowed=e.decision == "permit",
                because=str(because),
                flagged=e.flagged,
                count=e.count,
                sentence=sentence,
                subject=subject,
                kinds=kinds,
                role_words=role,
            )
        )
    return out


def _role(actor_role: str, purpose: str, raw_reason: str, profession: str) -> str:
    """What the actor is to the person: « votre médecin traitant », their profession,
    « qui agit pour vous »."""
    if raw_reason == "médecin traitant":
        return gettext("your médecin traitant")
    if purpose == "proxy" and actor_role == "citizen":
        return gettext("who acts for you")
    if actor_role == "app":
        return gettext("an app you connected")
    return profession


def counted(kinds: dict) -> str:
    """``{"Immunization": 3, "MedicationRequest": 1}`` -> « 3 vaccins et 1 ordonnance »."""
    parts = []
    for rtype, (one, many) in COUNTED.items():
        n = int(kinds.get(rtype) or 0)
        if n:
            parts.append(ngettext(one, many, n) % {"n": formats.number_format(n)})
    if kinds.get("Patient"):
        parts.append(str(YOUR_KIND["Patient"]))
    others = sum(int(n or 0) for t, n in kinds.items() if t not in COUNTED and t != "Patient")
    if others:
        parts.append(ngettext(*OTHER_COUNTED, others) % {"n": formats.number_format(others)})
    return _join(parts)


def _join(parts: list[str]) -> str:
    if len(parts) < 2:
        return parts[0] if parts else ""
    return gettext("%(items)s and %(last)s") % {
        "items": pgettext("list separator", ", ").join(parts[:-1]),
        "last": parts[-1],
    }


def _subject(who: tuple[str, str], apposition: bool) -> str:
    """« Dr Martin, votre médecin traitant, » as the subject of a sentence; or
    « Dr Martin (votre médecin traitant) » before a colon."""
    name, role = who
    if not role:
        return name
    if apposition:
        return gettext("%(name)s, %(role)s,") % {"name": name, "role": role}
    return gettext("%(name)s (%(role)s)") % {"name": name, "role": role}


def _sentence(
    action: str,
    allowed: bool,
    asked: bool,
    rtype: str,
    kinds: dict,
    details: dict,
    is_you: bool,
    who: tuple[str, str],
    doing: str,
    because: str,
) -> str:
    """One entry in one plain sentence (kinds and counts, never what the items say)."""
    if is_you and allowed and action in OWN_CHANGES:
        return _own_change(action, details, rtype)
    if allowed and action in DID and not is_you:
        what = counted(kinds) if kinds else str(YOUR_KIND.get(rtype) or gettext("your record"))
        return str(DID[action]) % {"who": _subject(who, True), "what": what}
    if not allowed and action in LOOKS:
        values = {
            "who": _subject(who, True),
            "what": str(YOUR_KIND.get(rtype) or gettext("your record")),
            "because": because,
        }
        if because:
            return gettext("%(who)s tried to see %(what)s: refused, because %(because)s.") % values
        return gettext("%(who)s tried to see %(what)s: refused.") % values
    subject = gettext("You") if is_you else _subject(who, False)
    if action in ("grant", "revoke") and details.get("what"):
        name = details["what"].split(":", 1)[0].removeprefix("proxy ").removeprefix("parent ")
        doing = gettext("%(doing)s (%(name)s)") % {"doing": doing, "name": _named(name)}
    elif kinds and action not in OWN_CHANGES:
        doing = gettext("%(doing)s %(what)s") % {"doing": doing, "what": counted(kinds)}
    values = {"who": subject, "doing": doing, "because": because}
    if allowed:
        return gettext("%(who)s: %(doing)s.") % values
    if because:
        return gettext("%(who)s: %(doing)s. Refused, because %(because)s.") % values
    return gettext("%(who)s: %(doing)s. Refused.") % values


def _named(name: str) -> str:
    if name == "everyone":
        return gettext("everyone")
    if name == "share code":
        return gettext("your share code")
    return name


def _own_change(action: str, details: dict, rtype: str) -> str:
    """The person's own change to who sees what, said to them (« Vous avez partagé … »)."""
    what = str(details.get("what", ""))
    name, _sep, rest = what.partition(":")
    rest = rest.strip()
    if action == "grant":
        if name == "share code":
            return gettext("You made a share code for a health professional.")
        if name.startswith("proxy "):
            return gettext("You let %(name)s act for you.") % {"name": name[6:]}
        if rest == "médecin traitant":
            return gettext("You chose %(name)s as your médecin traitant.") % {"name": name}
        return gettext("You shared your record with %(name)s.") % {"name": name}
    if action == "revoke":
        if name == "everyone":
            return gettext("You stopped sharing your record with everyone.")
        if name == "share code":
            return gettext("You deleted your share code.")
        if name.startswith("proxy "):
            return gettext("You ended the access of %(name)s to your space.") % {"name": name[6:]}
        return gettext("You stopped sharing your record with %(name)s.") % {"name": name}
    if action == "mask":
        audience = rest.split(",", 1)[0].strip()
        item = counted({rtype: 1}) if rtype else gettext("an item")
        said = str(MASK_WORDS.get(audience, MASK_WORDS["care_team"])) % {"what": item}
        if "hidden in emergencies" in rest:
            said = f"{said} {gettext('It stays hidden in an emergency.')}"
        return said
    return str(SETTINGS_WORDS.get(what) or gettext("You changed your emergency settings."))


def _ends(patient_id: int, rows) -> dict[tuple[str, int], list[datetime]]:
    """When each sharing and proxy of the actors refused "because it ended" came to an end."""
    wanted = {"sharing ended": set(), "proxy ended": set()}
    for e in rows:
        if e.decision == "deny" and e.actor_id and e.action:
            wanted["sharing ended" if e.actor_role == "practitioner" else "proxy ended"].add(
                e.actor_id
            )
    out: dict[tuple[str, int], list[datetime]] = {}
    for reason, model, field in (
        ("sharing ended", Grant, "grantee_id"),
        ("proxy ended", Proxy, "proxy_id"),
    ):
        if not wanted[reason]:
            continue
        for who, revoked, expires in model.objects.filter(
            patient_id=patient_id, **{f"{field}__in": wanted[reason]}
        ).values_list(field, "revoked_at", "expires_at"):
            moments = [m for m in (revoked, expires) if m is not None]
            if moments:
                out.setdefault((reason, who), []).append(min(moments))
    return out


def _ended_before(moments: list[datetime], at: datetime) -> datetime | None:
    """The latest end at or before the refusal: the access that had just ended."""
    past = [m for m in moments if m <= at]
    return max(past) if past else None


def people(actor: Actor, patient_id: int) -> list[tuple[int, str]]:
    """Everyone (but the person) who appears in the history, for the "who" filter."""
    return _people(patient_id, *_authorize(actor, patient_id)[1:])


def page(actor: Actor, patient_id: int, filters: Filters, *, offset: int = 0) -> Page:
    """One page of the history, newest first, with flagged emergencies in front."""
    permit, owner_id, kept = _authorize(actor, patient_id)
    qs = _query(patient_id, owner_id, filters, kept)
    offset = max(0, offset)
    flagged = _entries(permit, owner_id, qs.filter(flagged=True).order_by("-seq")[:PAGE])
    rest = qs.filter(flagged=False)
    total = rest.count()
    runs, consumed = _runs(rest.order_by("-seq")[offset : offset + SCAN])
    shown = rest.filter(pk__in=[r["pk"] for r in runs]).order_by("-seq")
    members = _members(permit, owner_id, runs)
    entries = [
        _grouped(e, r, members.get(r["pk"], ()))
        for e, r in zip(_entries(permit, owner_id, shown), runs, strict=True)
    ]
    return Page(
        flagged=flagged,
        entries=entries,
        total=total,
        offset=offset,
        people=_people(patient_id, owner_id, kept),
        next_offset=offset + consumed if offset + consumed < total else None,
    )


# A grouped line unfolds to at most this many of its entries (the chain keeps them all).
MAX_MEMBERS = 200


def _members(permit: Permit, owner_id: int | None, runs: list[dict]) -> dict[int, tuple]:
    """The entries each grouped line stands for (newest first), decrypted in one query."""
    wanted = {pk: r["pk"] for r in runs if r["times"] > 1 for pk in r["pks"][:MAX_MEMBERS]}
    if not wanted:
        return {}
    rows = AuditEntry.objects.filter(pk__in=list(wanted)).order_by("-seq")
    pks = list(rows.values_list("pk", flat=True))
    out: dict[int, list] = {}
    for pk, e in zip(pks, _entries(permit, owner_id, rows), strict=True):
        out.setdefault(wanted[pk], []).append(e)
    return {k: tuple(v) for k, v in out.items()}


def _grouped(e: Entry, run: dict, members: tuple) -> Entry:
    """A line standing for a run of entries: « Dr Martin a consulté votre dossier 23 fois
    entre le 2 et le 5 décembre », with what was opened in all."""
    if run["times"] < 2:
        return e
    e = replace(e, times=run["times"], first_at=run["first_at"], members=members)
    if not e.allowed:
        return e
    kinds: dict[str, int] = {}
    for m in members:
        for t, n in (m.kinds or {}).items():
            kinds[t] = kinds.get(t, 0) + int(n)
    first = timezone.localtime(run["first_at"]).date()
    last = timezone.localtime(e.at).date()
    values = {
        "who": _subject((e.who, e.role_words), True),
        "n": e.times,
        "first": formats.date_format(first, "DATE_FORMAT"),
        "last": formats.date_format(last, "DATE_FORMAT"),
    }
    if first == last:
        said = ngettext(
            "%(who)s looked at your record %(n)s time on %(last)s.",
            "%(who)s looked at your record %(n)s times on %(last)s.",
            e.times,
        )
    else:
        said = ngettext(
            "%(who)s looked at your record %(n)s time between %(first)s and %(last)s.",
            "%(who)s looked at your record %(n)s times between %(first)s and %(last)s.",
            e.times,
        )
    sentence = said % values
    if kinds:
        sentence += " " + gettext("In all: %(what)s.") % {"what": counted(kinds)}
    return replace(e, sentence=sentence, kinds=kinds)


def _runs(rows) -> tuple[list[dict], int]:
    """Up to PAGE lines from ``rows`` (newest first): consecutive refusals of one actor, for
    one action, purpose and kind of item, make one line; so do consecutive looks of one
    actor, for one purpose, that were allowed (« 23 fois entre le 2 et le 5 décembre »).
    Returns (lines, entries used). Only public columns are read; ``page`` decrypts the
    newest entry of each line, and the entries of a grouped line to unfold them."""
    runs: list[dict] = []
    consumed = 0
    for r in rows.values(
        "pk", "actor_id", "actor_role", "action", "purpose", "decision", "resource_type", "at"
    ):
        look = r["decision"] == "permit" and r["action"] in LOOKS
        if look:
            key = (r["actor_id"], r["actor_role"], "look", r["purpose"], "")
        else:
            key = (r["actor_id"], r["actor_role"], r["action"], r["purpose"], r["resource_type"])
        last = runs[-1] if runs else None
        if last and last["key"] == key and ((r["decision"] == "deny" and last["deny"]) or look):
            last["times"] += 1
            last["first_at"] = r["at"]
            last["pks"].append(r["pk"])
        elif len(runs) == PAGE:
            break
        else:
            runs.append(
                {
                    "pk": r["pk"],
                    "key": key,
                    "deny": r["decision"] == "deny",
                    "times": 1,
                    "first_at": r["at"],
                    "pks": [r["pk"]],
                }
            )
        consumed += 1
    return runs, consumed


# --- FHIR AuditEvent ----------------------------------------------------------------------

DCM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
REST = "http://hl7.org/fhir/restful-interaction"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CARNET_ACTION = "https://carnet.example.org/fhir/CodeSystem/access-action"
# C(reate) R(ead) U(pdate) D(elete) E(xecute) for each of our actions.
FHIR_ACTION = {
    "read": "R",
    "search": "E",
    "create": "C",
    "update": "U",
    "delete": "D",
    "import": "C",
    "export": "R",
    "erase": "D",
    "grant": "U",
    "revoke": "U",
    "mask": "U",
    "settings": "U",
    "break_glass": "E",
    "appointments": "E",
    "messages": "C",
}
FHIR_PURPOSE = {
    "self": ("PATRQT", "patient requested"),
    "treatment": ("TREAT", "treatment"),
    "emergency": ("ETREAT", "emergency treatment"),
    "proxy": ("PWATRNY", "power of attorney"),
    "assistance": ("PATRQT", "patient requested"),
    "research": ("HRESCH", "healthcare research"),
    "operations": ("HOPERAT", "healthcare operations"),
}
CONSENT_ACTIONS = {"grant", "revoke", "mask", "settings", "break_glass"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def audit_event(patient_id: int, e: Entry) -> dict:
    """One entry as a FHIR R4B AuditEvent."""
    code, display = FHIR_PURPOSE.get(e.purpose, ("PATRQT", "patient requested"))
    purposes = [{"coding": [{"system": ACT_REASON, "code": code, "display": display}]}]
    if e.flagged:
        purposes.append(
            {"coding": [{"system": ACT_REASON, "code": "BTG", "display": "break the glass"}]}
        )
    if e.action in CONSENT_ACTIONS:
        event_type = {
            "system": AUDIT_TYPE,
            "code": "access",
            "display": "Access/View Record Lifecycle Event",
        }
    else:
        event_type = {"system": DCM, "code": "110110", "display": "Patient Record"}
    agent: dict = {
        "type": {"coding": [{"system": PARTICIPATION, "code": "IRCP" if e.is_you else "PROV"}]},
        "who": {"display": e.who},
        "requestor": True,
        "purposeOfUse": purposes,
    }
    if e.actor_id is None:
        agent["type"] = {"coding": [{"system": DCM, "code": "110150", "display": "Application"}]}
    roles = [r for r in (e.profession, e.organisation) if r]
    if roles:
        agent["role"] = [{"text": ", ".join(roles)}]
    resource: dict = {
        "resourceType": "AuditEvent",
        "id": f"p{patient_id}-{e.seq}",
        "type": event_type,
        "subtype": [{"system": CARNET_ACTION, "code": e.action, "display": e.doing}],
        "action": FHIR_ACTION.get(e.action, "E"),
        "recorded": _iso(e.at),
        "outcome": "0" if e.allowed else "4",
        "purposeOfEvent": purposes,
        "agent": [agent],
        "source": {"observer": {"display": "Carnet"}},
        "entity": [
            {
                "what": {"display": e.what or "record"},
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "1",
                    "display": "Person",
                },
                "description": e.reason[:1000] if e.reason else None,
            }
        ],
    }
    if e.because:
        resource["outcomeDesc"] = e.because
    if not resource["entity"][0]["description"]:
        del resource["entity"][0]["description"]
    if e.flagged:
        resource["meta"] = {
            "tag": [{"system": CARNET_ACTION, "code": "review", "display": "to review"}]
        }
    return resource


def audit_events(
    actor: Actor, patient_id: int, filters: Filters, *, offset: int = 0, count: int = 50
) -> tuple[int, list[dict]]:
    """One page of the history as FHIR AuditEvents, newest first, with the total (the FHIR
    API's ``AuditEvent?patient=…``): the person or whoever manages their record only."""
    permit, owner_id, kept = _authorize(actor, patient_id)
    qs = _query(patient_id, owner_id, filters, kept)
    total = qs.count()
    rows = qs.order_by("-seq")[max(0, offset) : max(0, offset) + max(0, count)]
    return total, [audit_event(patient_id, e) for e in _entries(permit, owner_id, rows)]


def export_bundle(actor: Actor, patient_id: int, filters: Filters) -> dict:
    """The (filtered) history as a FHIR R4B Bundle of AuditEvent, newest first."""
    permit, owner_id, kept = _authorize(actor, patient_id)
    qs = _query(patient_id, owner_id, filters, kept).order_by("-seq")[:MAX_EXPORT]
    entries = _entries(permit, owner_id, qs)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _iso(timezone.now()),
        "entry": [
            {
                "fullUrl": f"urn:uuid:carnet-audit-p{patient_id}-{e.seq}",
                "resource": audit_event(patient_id, e),
            }
            for e in entries
        ],
    }
