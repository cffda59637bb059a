"""Entraide: peer groups by situation, moderated by verified professionals.

A member is a ``Membership``: the account and the group, and the pseudonym the others see.
The link between a pseudonym and an account is only read by the system (notifications,
limits, blocking) and never shown: a member's pages show pseudonyms, moderators are
shown by their verified name and profession. Nothing here holds a foreign key to a record:
no record data reaches a post unless the person types it.

Posts are what people chose to share with a group; they are kept in clear, like a letter
to the group, and go with the account (``CASCADE``) when it is closed.
"""

from django.conf import settings
from django.db import models


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
    title = models.CharField(max_length=150)
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
    body = models.TextField()
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
    reason = models.CharField(max_length=300)
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
    reason = models.CharField(max_length=500)
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
