"""Entraide: peer groups by situation, moderated by verified professionals.

A member is a ``Membership``: the account and the group, and the pseudonym the others see.
The link between a pseudonym and an account is only read by the system (notifications,
limits, blocking) and never shown: a member's pages show pseudonyms, moderators are
shown by their verified name and profession. Nothing here holds a foreign key to a record:
no record data reaches a post unless the person types it.

Posts are what people chose to share with a group; they go with the account (``CASCADE``)
when it is closed. What members write (a post's body, a thread's title, the reasons of reports
and moderation acts) is sealed under the group's key (``carnet.vault.group_keys``) in a
``*_sealed`` column; the ``body``, ``title`` and ``reason`` properties seal and open it, so
the rest of the app reads and writes plain text. The link account → group (``Membership``)
and the pseudonym stay in clear: they list a person's groups, authorise and keep pseudonyms
unique.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import models

from carnet.vault import group_keys


def sealed_text(name: str, context: str, slug_of: Callable) -> property:
    """A text property kept sealed in the BinaryField ``<name>_sealed`` under the group's key
    (``slug_of(row)``); the opened text is kept on the instance while the column is unchanged."""
    column, cache = f"{name}_sealed", f"_{name}_opened"

    def get(row) -> str:
        blob = getattr(row, column)
        if not blob:
            return ""
        blob = bytes(blob)
        hit = row.__dict__.get(cache)
        if hit is not None and hit[0] == blob:
            return hit[1]
        text = group_keys.open_text(slug_of(row), blob, context)
        row.__dict__[cache] = (blob, text)
        return text

    def put(row, text: str) -> None:
        blob = group_keys.seal_text(slug_of(row), text, context)
        setattr(row, column, blob)
        row.__dict__[cache] = (blob, text)

    return property(get, put, doc=f"The {context}, sealed in {column}.")


class Group(models.Model):
    """A group by situation; its name and description are in ``groups.GROUPS`` (data)."""

    slug = models.SlugField(max_length=40, unique=True)

    def __str__(self):
        return self.slug


class Membership(models.Model):
    MEMBER = "member"
    MODERATOR = "moderator"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    pseudonym = models.CharField(max_length=30)
    pseudonym_norm = models.CharField(max_length=30)
    role = models.CharField(max_length=10, default=MEMBER)
    # Posts a moderator let through (or that needed none): after HELD_POSTS, no more holding.
    approved_posts = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="community_one_membership"),
            models.UniqueConstraint(
                fields=["group", "pseudonym_norm"], name="community_pseudonym_unique"
            ),
        ]

    @property
    def is_moderator(self) -> bool:
        return self.role == self.MODERATOR


class Thread(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="threads")
    title_sealed = models.BinaryField(default=b"")
    title = sealed_text("title", "thread title", lambda t: t.group.slug)
    created_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["group", "-last_at"], name="community_threads")]


class Post(models.Model):
    HELD = "held"
    VISIBLE = "visible"
    HIDDEN = "hidden"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="posts")
    body_sealed = models.BinaryField(default=b"")
    body = sealed_text("body", "post body", lambda p: p.thread.group.slug)
    status = models.CharField(max_length=10, default=VISIBLE)
    # Written by a moderator who is a verified health professional / a trained advisor.
    professional = models.BooleanField(default=False)
    advisor = models.BooleanField(default=False)
    red_flag = models.BooleanField(default=False)
    edited_by_moderator = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author", "created_at"], name="community_post_author")]


class Thanks(models.Model):
    """« Merci »: one per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="thanks")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="community_thanks_once")
        ]


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reason_sealed = models.BinaryField(default=b"")
    reason = sealed_text("reason", "report reason", lambda r: r.post.thread.group.slug)
    created_at = models.DateTimeField()
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="community_report_once")
        ]


class ModerationAct(models.Model):
    """Every act of a moderator, with its reason, shown to the member it is about."""

    APPROVE = "approve"
    HIDE = "hide"
    EDIT = "edit"
    WARN = "warn"
    SUSPEND = "suspend"
    KINDS = (APPROVE, HIDE, EDIT, WARN, SUSPEND)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="acts")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=10)
    reason_sealed = models.BinaryField(default=b"")
    reason = sealed_text("reason", "moderation reason", lambda a: a.group.slug)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]


class Block(models.Model):
    """``blocker`` no longer sees ``blocked``'s posts nor hears of them, in every group."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="community_block_once")
        ]


def reseal_all() -> int:
    """Re-seal every text not sealed under the current master key (during a key rotation)."""
    done = 0
    for model, name, path in (
        (Thread, "title", "group"),
        (Post, "body", "thread__group"),
        (Report, "reason", "post__thread__group"),
        (ModerationAct, "reason", "group"),
    ):
        column = f"{name}_sealed"
        for row in model.objects.select_related(path).iterator(chunk_size=500):
            blob = getattr(row, column)
            if blob and not group_keys.sealed_under_current(blob):
                setattr(row, name, getattr(row, name))
                row.save(update_fields=[column])
                done += 1
    return done
