"""Red-flag triage before any chat: the rules are data, kept here and tested.

Each red flag is one yes/no question in plain words. Any "yes" means: call now, do not
wait for a chat. The numbers to call come in order; a flag may put a number first
(thoughts of suicide put 3114, the suicide prevention line, first). A chat opens only
when every question was answered "no".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The French emergency numbers, free, 24 hours a day. ``scheme`` is the link: 114 takes
# text messages (SMS), for deaf and hard-of-hearing people.
NUMBERS = {
    "15": {
        "number": "15",
        "scheme": "tel",
        "name": _("SAMU, medical emergency"),
        "how": pgettext_lazy("emergency number", "Call"),
    },
    "112": {
        "number": "112",
        "scheme": "tel",
        "name": _("European emergency number, from any phone"),
        "how": pgettext_lazy("emergency number", "Call"),
    },
    "114": {
        "number": "114",
        "scheme": "sms",
        "name": _("Emergency by text message, for deaf and hard-of-hearing people"),
        "how": pgettext_lazy("emergency number", "Text"),
    },
    "3114": {
        "number": "3114",
        "scheme": "tel",
        "name": _("Suicide prevention, someone listens to you"),
        "how": pgettext_lazy("emergency number", "Call"),
    },
}
DEFAULT_ORDER = ("15", "112", "114", "3114")

RED_FLAGS = [
    {
        "key": "chest_pain",
        "question": _("Do you have pain or tightness in your chest?"),
        "help": _("Even if it comes and goes, or spreads to the arm, jaw or back."),
        "first": "15",
    },
    {
        "key": "stroke",
        "question": _(
            "Is one side of the face drooping, is an arm or a leg weak, or is speaking "
            "suddenly hard?"
        ),
        "help": _("Signs of a stroke: every minute counts."),
        "first": "15",
    },
    {
        "key": "breathing",
        "question": _("Is breathing very hard, or are you out of breath at rest?"),
        "help": "",
        "first": "15",
    },
    {
        "key": "bleeding",
        "question": _("Is there heavy bleeding that does not stop?"),
        "help": "",
        "first": "15",
    },
    {
        "key": "suicide",
        "question": _("Are you thinking of killing yourself, or of hurting yourself?"),
        "help": _("You can say it: someone will listen, day and night."),
        "first": "3114",
    },
]
KEYS = tuple(f["key"] for f in RED_FLAGS)


@dataclass(frozen=True)
class Outcome:
    """What the answers mean: the red flags ticked, whether a chat may open, what to call."""

    flags: tuple[str, ...]
    complete: bool  # every question answered

    @property
    def urgent(self) -> bool:
        return bool(self.flags)

    @property
    def chat_allowed(self) -> bool:
        return self.complete and not self.flags

    @property
    def numbers(self) -> list[dict]:
        first = [f["first"] for f in RED_FLAGS if f["key"] in self.flags]
        # The most specific number first: 3114 when the suicide flag is ticked.
        lead = [n for n in first if n != "15"] + [n for n in first if n == "15"]
        order = list(dict.fromkeys([*lead, *DEFAULT_ORDER]))
        return [NUMBERS[n] for n in order]


def evaluate(answers) -> Outcome:
    """``answers`` maps each red-flag key to "yes" or "no" (a form's POST data works).

    A missing or other answer is not a "no": the chat stays closed until every question
    is answered, but only an explicit "yes" raises a flag.
    """
    flags = tuple(k for k in KEYS if answers.get(k) == "yes")
    complete = all(answers.get(k) in ("yes", "no") for k in KEYS)
    return Outcome(flags=flags, complete=complete)


def all_numbers() -> list[dict]:
    return [NUMBERS[n] for n in DEFAULT_ORDER]
