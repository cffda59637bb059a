"""Demo groups (``carnet demo``): verified professionals moderate, two personas take part."""

from __future__ import annotations

from . import services

# (persona key, group): who moderates what.
MODERATORS = (
    ("midwife", "grossesse"),
    ("endocrinologist", "diabete-type-2"),
    ("physio", "reeducation-genou-sport"),
    ("gp", "aidants-parent-age"),
    ("gp", "hypertension"),
    ("advisor", "aidants-parent-age"),
)
# (persona key, group, pseudonym)
MEMBERS = (
    ("pregnant", "grossesse", "Petite graine"),
    ("diabetic", "diabete-type-2", "Marcheur31"),
    ("daughter", "aidants-parent-age", "Fille aidante"),
    ("runner", "reeducation-genou-sport", "Foulée"),
)
QUESTION = (
    "pregnant",
    "grossesse",
    "Fatigue au 5e mois",
    "Bonjour, je suis très fatiguée depuis deux semaines, surtout l'après-midi. "
    "Est-ce que c'est courant à ce stade ? Qu'est-ce qui vous a aidées ?",
)
ANSWER = (
    "Bonjour, c'est fréquent. Parlez-en à votre prochaine consultation : une prise de sang "
    "peut vérifier le fer. En attendant, de courtes siestes et une marche légère aident."
)


def load(created_users: dict) -> int:
    """Appoint the moderators and let the personas just created (``key -> User``) join."""
    n = 0
    mods = {}
    for key, slug in MODERATORS:
        user = created_users.get(key)
        if user is not None:
            mods[slug] = services.appoint_moderator(user, slug)
            n += 1
    members = {}
    for key, slug, pseudonym in MEMBERS:
        user = created_users.get(key)
        if user is not None:
            members[key] = services.join(user, slug, pseudonym)
            n += 1
    key, slug, title, text = QUESTION
    if key in members and slug in mods:
        post = services.start_thread(members[key], title, text, confirmed=True)
        services.approve(mods[slug], post.pk)
        services.reply(mods[slug], post.thread_id, ANSWER, confirmed=True)
    return n
