"""Shared set-up of the Entraide (peer groups) tests (no test here): a pregnancy group with a
midwife moderator, made through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from carnet.community import services as community

from .people import citizen, practitioner

GROUP = "grossesse"


@dataclass
class Group:
    slug: str
    midwife: object  # a practitioner listed in the directory, moderator
    mod: object  # her membership
    lea: object  # a citizen
    lea_m: object  # Léa's membership (pseudonym « Lune »)
    other: object
    other_m: object


def pregnancy_group(*, seasoned: bool = True) -> Group:
    """Léa (« Lune ») and Karima (« Fleur d'oranger ») joined; Camille Roux, midwife,
    moderates. ``seasoned``: their posts no longer wait for a moderator."""
    midwife = practitioner(
        "Camille Roux", "sage-femme", "Maternité de Toulouse", email="camille@example.org"
    )
    mod = community.appoint_moderator(midwife, GROUP)
    lea = citizen("Léa Dubois", email="lea.dubois@example.org")
    other = citizen("Karima Benali", email="karima.benali@example.org")
    lea_m = community.join(lea, GROUP, "Lune")
    other_m = community.join(other, GROUP, "Fleur d'oranger")
    if seasoned:
        for m in (lea_m, other_m):
            m.approved_posts = community.HELD_POSTS
            m.save()
    return Group(GROUP, midwife, mod, lea, lea_m, other, other_m)


def thread_url(post) -> str:
    return reverse("community:thread", args=[GROUP, post.thread_id])


def member(user):
    return community.membership(user, GROUP)
