"""Demo help requests, so that the demo advisor's inbox is not empty (``carnet demo``)."""

from __future__ import annotations

from . import services

# (persona key, subject, question): questions people asked at the workshop, in their words.
QUESTIONS = (
    (
        "father",
        "Voir qui a regardé mon dossier",
        "Bonjour, ma fille m'a dit que je pouvais savoir quels médecins ont regardé mon "
        "dossier. Où est-ce que je trouve ça ? Merci.",
    ),
    (
        "daughter",
        "Procuration pour mon père",
        "Je m'occupe de mon père, Henri Marty. Comment prendre ses rendez-vous pour lui "
        "depuis mon compte ?",
    ),
)


def load(created_users: dict) -> int:
    """Ask the demo questions of the personas just created (``key -> User``)."""
    n = 0
    for key, subject, text in QUESTIONS:
        user = created_users.get(key)
        if user is not None:
            services.ask(user, subject, text)
            n += 1
    return n
