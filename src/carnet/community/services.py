"""Entraide rules: joining under a pseudonym, threads, replies, « merci », reports,
moderation, limits and blocking. Views call these; tests call them directly.

Who may do what:
- citizens join a group under a pseudonym (never their name); researchers and every role
  that does not exist cannot (no commercial account can even be created);
- moderators are appointed (``appoint_moderator``): practitioners listed in the national
  directory, or advisors; they are shown by their name and profession, their answers marked;
- a person who is not a member of a group reads nothing of it: ``NotFound`` (a 404).

Messages sent (notify events, no parameter, so no health detail and no pseudonym):
``community_reply``, ``community_thanks``, ``community_moderation``, ``community_waiting``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from carnet.care import directory
from carnet.notify import services as notify

from . import checks, groups
from .models import Block, Group, Membership, ModerationAct, Post, Report, Thanks, Thread

JOIN_ROLES = ("citizen",)
MODERATOR_ROLES = ("practitioner", "advisor")
HELD_POSTS = 2  # a new member's first posts wait for a moderator
PER_MINUTE = 3  # posts per person per minute, every group together…
PER_DAY = 30  # …and per day
MAX_TITLE = 150
MAX_BODY = 5000
MAX_REASON = 500
SUSPEND_DAYS = (1, 7, 30)
PSEUDONYM = re.compile(r"^[^\W_][\w .'’-]{1,28}[^\W_]$")


def _acts() -> Prefetch:
    """A post's moderation acts, with their group (its key opens their reasons)."""
    return Prefetch("moderationact_set", queryset=ModerationAct.objects.select_related("group"))


class NotFound(Exception):
    """No such group, thread or post for this person (or they may not see it)."""


class Refused(ValueError):
    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


class NeedsConfirmation(Exception):
    """The text seems to hold personal details: ask before posting (``kinds``)."""

    def __init__(self, kinds: list[str]):
        super().__init__(", ".join(kinds))
        self.kinds = kinds


def ensure_groups() -> None:
    """Every group of ``groups.GROUPS`` has its row (groups are data)."""
    have = set(Group.objects.values_list("slug", flat=True))
    missing = [Group(slug=g.slug) for g in groups.GROUPS if g.slug not in have]
    if missing:
        Group.objects.bulk_create(missing, ignore_conflicts=True)


def _group(slug: str) -> Group:
    if slug not in groups.BY_SLUG:
        raise NotFound(slug)
    ensure_groups()
    return Group.objects.get(slug=slug)


def may_join(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in JOIN_ROLES)


def membership(user, slug: str) -> Membership:
    """The person's membership of a group; ``NotFound`` for a non-member (they read nothing)."""
    if not (user and user.is_authenticated and user.is_active):
        raise NotFound(slug)
    found = (
        Membership.objects.select_related("group", "user")
        .filter(group__slug=slug, user=user)
        .first()
    )
    if found is None:
        raise NotFound(slug)
    return found


@dataclass
class GroupRow:
    slug: str
    name: str
    about: str
    member: Membership | None
    members: int


def overview(user) -> list[GroupRow]:
    ensure_groups()
    mine = {m.group.slug: m for m in Membership.objects.select_related("group").filter(user=user)}
    counts = dict(Group.objects.annotate(n=Count("members")).values_list("slug", "n"))
    return [
        GroupRow(g.slug, str(g.name), str(g.about), mine.get(g.slug), counts.get(g.slug, 0))
        for g in groups.GROUPS
    ]


def _own_names(user) -> tuple[str, ...]:
    words = re.findall(r"\w+", user.display_name or "")
    local = (user.email or "").split("@")[0]
    return (*words, *re.findall(r"[^\W\d_]+", local))


def join(user, slug: str, pseudonym: str) -> Membership:
    """Join a group under a pseudonym: letters, digits, spaces; 3 to 30; not one's name."""
    if not may_join(user):
        raise Refused("role")
    group = _group(slug)
    pseudonym = " ".join((pseudonym or "").split())
    if not PSEUDONYM.match(pseudonym):
        raise Refused("pseudonym")
    norm = checks.fold(pseudonym)
    words = set(re.findall(r"\w+", norm))
    own = {checks.fold(n) for n in _own_names(user) if len(n) >= 3}
    if own & words or any(n in norm.replace(" ", "") for n in own if len(n) >= 4):
        raise Refused("own_name")
    if Membership.objects.filter(group=group, user=user).exists():
        raise Refused("already")
    try:
        with transaction.atomic():
            return Membership.objects.create(
                group=group,
                user=user,
                pseudonym=pseudonym,
                pseudonym_norm=norm[:30],
                joined_at=timezone.now(),
            )
    except IntegrityError:
        raise Refused("taken") from None


def is_verified_moderator(user) -> bool:
    """A practitioner listed in the national directory (RPPS), or an advisor."""
    if not (user and user.is_active and user.role in MODERATOR_ROLES):
        return False
    if user.role == "advisor":
        return True
    try:
        directory.check_practitioner(user.rpps)
    except directory.NotInDirectory:
        return False
    return True


def appoint_moderator(user, slug: str) -> Membership:
    """Make a verified practitioner or an advisor a moderator of a group (by the operator)."""
    if not is_verified_moderator(user):
        raise Refused("not_verified")
    group = _group(slug)
    shown = (user.display_name or user.email.split("@")[0])[:30]
    member, _new = Membership.objects.update_or_create(
        group=group,
        user=user,
        defaults={
            "pseudonym": shown,
            "pseudonym_norm": checks.fold(shown)[:30],
            "role": Membership.MODERATOR,
            "joined_at": timezone.now(),
        },
    )
    return member


def moderators(slug: str) -> list[Membership]:
    return list(
        Membership.objects.select_related("user").filter(
            group__slug=slug, role=Membership.MODERATOR
        )
    )


# -- reading ---------------------------------------------------------------------------


def _blocked_ids(user) -> set[int]:
    return set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))


@dataclass
class ThreadRow:
    id: int
    title: str
    author: str
    replies: int
    last_at: datetime
    mine: bool


def threads(member: Membership) -> list[ThreadRow]:
    """The group's threads this member may see (a held first post: its author and moderators)."""
    blocked = _blocked_ids(member.user)
    qs = Thread.objects.filter(group=member.group).select_related("author", "group")
    if blocked:
        qs = qs.exclude(author__user_id__in=blocked)
    if not member.is_moderator:
        # A thread shows while its question does: held or hidden, only its author sees it.
        first = Post.objects.filter(thread=OuterRef("pk")).order_by("created_at", "pk")
        qs = qs.annotate(first_status=Subquery(first.values("status")[:1])).filter(
            Q(author=member) | Q(first_status=Post.VISIBLE)
        )
    rows = []
    for t in qs.order_by("-last_at", "-pk")[:200]:
        replies = t.posts.filter(status=Post.VISIBLE).count() - 1
        rows.append(
            ThreadRow(
                t.pk,
                t.title,
                _label(t.author),
                max(replies, 0),
                t.last_at,
                t.author_id == member.pk,
            )
        )
    return rows


def _label(author: Membership) -> str:
    return author.pseudonym


@dataclass
class PostView:
    id: int
    author: str
    author_member_id: int
    body: str
    status: str
    mine: bool
    professional: bool
    advisor: bool
    profession: str
    edited: bool
    red_flag: bool
    thanks: int
    thanked: bool
    created_at: datetime
    acts: list[ModerationAct] = field(default_factory=list)
    numbers: list[dict] = field(default_factory=list)


@dataclass
class ThreadView:
    id: int
    title: str
    posts: list[PostView]
    first_visible: bool


def _post_view(p: Post, member: Membership, thanked: set[int]) -> PostView:
    author = p.author
    flags = checks.red_flags(p.body) if p.red_flag else ()
    return PostView(
        id=p.pk,
        author=_label(author),
        author_member_id=author.pk,
        body=p.body,
        status=p.status,
        mine=author.pk == member.pk,
        professional=p.professional,
        advisor=p.advisor,
        profession=author.user.profession if (p.professional and author.is_moderator) else "",
        edited=p.edited_by_moderator,
        red_flag=p.red_flag,
        thanks=getattr(p, "n_thanks", 0),
        thanked=p.pk in thanked,
        created_at=p.created_at,
        acts=list(p.moderationact_set.all()) if author.pk == member.pk else [],
        numbers=checks.emergency_numbers(flags) if p.red_flag else [],
    )


def read_thread(member: Membership, thread_id: int) -> ThreadView:
    thread = Thread.objects.filter(pk=thread_id, group=member.group).select_related("group").first()
    if thread is None:
        raise NotFound(thread_id)
    blocked = _blocked_ids(member.user)
    posts = (
        Post.objects.filter(thread=thread)
        .select_related("author__user", "thread__group")
        .prefetch_related(_acts())
        .annotate(n_thanks=Count("thanks"))
    )
    thanked = set(
        Thanks.objects.filter(member=member, post__thread=thread).values_list("post_id", flat=True)
    )
    shown = []
    for p in posts:
        if p.author.user_id in blocked:
            continue
        if p.status != Post.VISIBLE and p.author_id != member.pk and not member.is_moderator:
            continue
        shown.append(_post_view(p, member, thanked))
    if not shown:
        raise NotFound(thread_id)
    first = posts[0]
    if first.status != Post.VISIBLE and first.author_id != member.pk and not member.is_moderator:
        raise NotFound(thread_id)  # the question is held or hidden: its replies go with it
    return ThreadView(thread.pk, thread.title, shown, shown[0].status == Post.VISIBLE)


# -- writing ---------------------------------------------------------------------------


def _check_may_post(member: Membership, now: datetime) -> None:
    if member.suspended_until and member.suspended_until > now:
        raise Refused("suspended", until=member.suspended_until)
    mine = Post.objects.filter(author__user_id=member.user_id)
    if mine.filter(created_at__gt=now - timedelta(minutes=1)).count() >= PER_MINUTE:
        raise Refused("minute")
    if mine.filter(created_at__gt=now - timedelta(days=1)).count() >= PER_DAY:
        raise Refused("day")


def check_text(member: Membership, body: str, confirmed: bool) -> str:
    body = (body or "").strip()
    if not body:
        raise Refused("empty")
    if len(body) > MAX_BODY:
        raise Refused("long")
    if not confirmed:
        kinds = checks.personal_details(body, _own_names(member.user))
        if kinds:
            raise NeedsConfirmation(kinds)
    return body


def _new_post(member: Membership, thread: Thread, body: str, now: datetime) -> Post:
    held = not member.is_moderator and member.approved_posts < HELD_POSTS
    post = Post.objects.create(
        thread=thread,
        author=member,
        body=body,
        status=Post.HELD if held else Post.VISIBLE,
        professional=member.is_moderator and member.user.role == "practitioner",
        advisor=member.is_moderator and member.user.role == "advisor",
        red_flag=bool(checks.red_flags(body)),
        created_at=now,
    )
    if held:
        hour = now.strftime("%Y%m%d%H")
        for mod in moderators(member.group.slug):
            notify.notify_user(
                mod.user_id, "community_waiting", key=f"community-waiting:{mod.pk}:{hour}"
            )
    return post


def start_thread(member: Membership, title: str, body: str, confirmed: bool = False) -> Post:
    now = timezone.now()
    title = " ".join((title or "").split())
    if not title:
        raise Refused("title")
    if len(title) > MAX_TITLE:
        raise Refused("long")
    body = check_text(member, body, confirmed)
    if not confirmed:
        kinds = checks.personal_details(title, _own_names(member.user))
        if kinds:
            raise NeedsConfirmation(kinds)
    with transaction.atomic():
        _check_may_post(member, now)
        thread = Thread.objects.create(
            group=member.group, author=member, title=title, created_at=now, last_at=now
        )
        return _new_post(member, thread, body, now)


def _tell_thread_author(post: Post) -> None:
    thread = post.thread
    author = thread.author
    if author.pk == post.author_id:
        return
    if Block.objects.filter(blocker_id=author.user_id, blocked_id=post.author.user_id).exists():
        return  # a blocked member cannot reach the one who blocked them
    notify.notify_user(author.user_id, "community_reply", key=f"community-reply-{post.pk}")


def reply(member: Membership, thread_id: int, body: str, confirmed: bool = False) -> Post:
    now = timezone.now()
    read_thread(member, thread_id)  # NotFound if this member cannot see it
    body = check_text(member, body, confirmed)
    with transaction.atomic():
        _check_may_post(member, now)
        thread = Thread.objects.select_for_update().get(pk=thread_id)
        post = _new_post(member, thread, body, now)
        if post.status == Post.VISIBLE:
            Thread.objects.filter(pk=thread.pk).update(last_at=now)
            _tell_thread_author(post)
    return post


def visible_post(member: Membership, post_id: int) -> Post:
    post = (
        Post.objects.select_related("author__user", "thread__group")
        .filter(pk=post_id, thread__group=member.group, status=Post.VISIBLE)
        .first()
    )
    if post is None or post.author.user_id in _blocked_ids(member.user):
        raise NotFound(post_id)
    return post


def thank(member: Membership, post_id: int) -> bool:
    """« Merci » once per post; not one's own. True when it is new."""
    post = visible_post(member, post_id)
    if post.author_id == member.pk:
        raise Refused("own")
    _thanks, new = Thanks.objects.get_or_create(
        post=post, member=member, defaults={"created_at": timezone.now()}
    )
    blocked = Block.objects.filter(
        blocker_id=post.author.user_id, blocked_id=member.user_id
    ).exists()
    if new and not blocked:
        notify.notify_user(
            post.author.user_id, "community_thanks", key=f"community-thanks-{_thanks.pk}"
        )
    return new


def report(member: Membership, post_id: int, reason: str) -> Report:
    post = visible_post(member, post_id)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise Refused("reason")
    found, _new = Report.objects.get_or_create(
        post=post, reporter=member, defaults={"reason": reason, "created_at": timezone.now()}
    )
    hour = timezone.now().strftime("%Y%m%d%H")
    for mod in moderators(member.group.slug):
        notify.notify_user(
            mod.user_id, "community_waiting", key=f"community-waiting:{mod.pk}:{hour}"
        )
    return found


def block(member: Membership, other_member_id: int) -> None:
    other = Membership.objects.filter(pk=other_member_id, group=member.group).first()
    if other is None or other.pk == member.pk:
        raise NotFound(other_member_id)
    if other.is_moderator:
        raise Refused("moderator")
    Block.objects.get_or_create(
        blocker=member.user, blocked=other.user, defaults={"created_at": timezone.now()}
    )


def unblock_all(member: Membership) -> int:
    return Block.objects.filter(blocker=member.user).delete()[0]


def blocked_count(member: Membership) -> int:
    return Block.objects.filter(blocker=member.user).count()


# -- moderation ------------------------------------------------------------------------


def _moderator(member: Membership) -> None:
    if not member.is_moderator or not is_verified_moderator(member.user):
        raise NotFound("moderation")


def group_post(mod: Membership, post_id: int) -> Post:
    post = (
        Post.objects.select_related("author__user", "thread__group")
        .filter(pk=post_id, thread__group=mod.group)
        .first()
    )
    if post is None:
        raise NotFound(post_id)
    return post


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused("reason")
    return reason[:MAX_REASON]


def _act(mod, member, kind, reason, post=None, *, tell=True) -> ModerationAct:
    act = ModerationAct.objects.create(
        group=mod.group,
        moderator=mod,
        member=member,
        post=post,
        kind=kind,
        reason=reason,
        created_at=timezone.now(),
    )
    if tell and member.pk != mod.pk:
        notify.notify_user(member.user_id, "community_moderation", key=f"community-act-{act.pk}")
    return act


@dataclass
class Queue:
    held: list[PostView]
    reports: list[dict]


def queue(mod: Membership) -> Queue:
    _moderator(mod)
    held = (
        Post.objects.filter(thread__group=mod.group, status=Post.HELD)
        .select_related("author__user", "thread__group")
        .prefetch_related(_acts())
        .order_by("created_at")
    )
    reports = (
        Report.objects.filter(post__thread__group=mod.group, resolved=False)
        .select_related("post__author", "post__thread__group", "reporter")
        .order_by("created_at")
    )
    return Queue(
        held=[_post_view(p, mod, set()) for p in held],
        reports=[
            {
                "id": r.pk,
                "reason": r.reason,
                "post": r.post,
                "thread": r.post.thread,
                "author": r.post.author.pseudonym,
            }
            for r in reports
        ],
    )


def approve(mod: Membership, post_id: int) -> Post:
    _moderator(mod)
    post = group_post(mod, post_id)
    if post.status != Post.HELD:
        raise Refused("not_held")
    with transaction.atomic():
        post.status = Post.VISIBLE
        post.save(update_fields=["status"])
        Membership.objects.filter(pk=post.author_id).update(
            approved_posts=post.author.approved_posts + 1
        )
        Thread.objects.filter(pk=post.thread_id).update(last_at=timezone.now())
        _act(mod, post.author, ModerationAct.APPROVE, "", post, tell=False)
        _tell_thread_author(post)
    return post


def hide(mod: Membership, post_id: int, reason: str) -> ModerationAct:
    _moderator(mod)
    reason = _reason(reason)
    post = group_post(mod, post_id)
    with transaction.atomic():
        post.status = Post.HIDDEN
        post.save(update_fields=["status"])
        Report.objects.filter(post=post).update(resolved=True)
        return _act(mod, post.author, ModerationAct.HIDE, reason, post)


def edit(mod: Membership, post_id: int, body: str, reason: str) -> ModerationAct:
    _moderator(mod)
    reason = _reason(reason)
    body = (body or "").strip()
    if not body:
        raise Refused("empty")
    if len(body) > MAX_BODY:
        raise Refused("long")
    post = group_post(mod, post_id)
    with transaction.atomic():
        post.body = body
        post.edited_by_moderator = True
        post.red_flag = bool(checks.red_flags(body))
        post.save(update_fields=["body_sealed", "edited_by_moderator", "red_flag"])
        Report.objects.filter(post=post).update(resolved=True)
        return _act(mod, post.author, ModerationAct.EDIT, reason, post)


def dismiss_report(mod: Membership, report_id: int) -> None:
    _moderator(mod)
    Report.objects.filter(pk=report_id, post__thread__group=mod.group).update(resolved=True)


def _group_member(mod: Membership, member_id: int) -> Membership:
    member = Membership.objects.filter(pk=member_id, group=mod.group).first()
    if member is None or member.is_moderator:
        raise NotFound(member_id)
    return member


def warn(mod: Membership, member_id: int, reason: str, post_id: int | None = None):
    _moderator(mod)
    reason = _reason(reason)
    member = _group_member(mod, member_id)
    post = group_post(mod, post_id) if post_id else None
    return _act(mod, member, ModerationAct.WARN, reason, post)


def suspend(mod: Membership, member_id: int, days: int, reason: str) -> ModerationAct:
    _moderator(mod)
    reason = _reason(reason)
    if days not in SUSPEND_DAYS:
        raise Refused("days")
    member = _group_member(mod, member_id)
    with transaction.atomic():
        member.suspended_until = timezone.now() + timedelta(days=days)
        member.save(update_fields=["suspended_until"])
        return _act(mod, member, ModerationAct.SUSPEND, reason)


def acts_about(member: Membership) -> list[ModerationAct]:
    """Every moderation act about this member, newest first, with its reason."""
    return list(
        ModerationAct.objects.filter(member=member).select_related(
            "group", "post__thread__group", "moderator"
        )
    )
