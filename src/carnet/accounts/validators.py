from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MaximumLengthValidator:
    """Long passphrases are welcome, but not unbounded ones (hashing cost)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long: use at most %(max)d characters.")
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Your password can be up to %(max)d characters long.") % {"max": self.max_length}


# Words French speakers often build passwords from, which zxcvbn's English lists miss.
FRENCH_WORDS = [
    "motdepasse",
    "azerty",
    "bonjour",
    "soleil",
    "doudou",
    "chouchou",
    "loulou",
    "coucou",
    "marseille",
    "toulouse",
    "carnet",
    "sante",
    "santé",
]


class GuessabilityValidator:
    """A strength estimate (zxcvbn: dictionaries, names, keyboard rows, repeats, sequences,
    dates), on top of the length and common-password rules, with advice in plain words.

    A password must reach zxcvbn score 3 ("safely unguessable: moderate protection from
    an offline slow-hash attack"). Only its first 72 characters are estimated (zxcvbn's
    own bound; what follows only makes it stronger).
    """

    min_score = 3
    max_checked = 72

    def validate(self, password, user=None):
        from zxcvbn import zxcvbn

        inputs = list(FRENCH_WORDS)
        for attr in ("email", "display_name", "profession", "organisation"):
            value = str(getattr(user, attr, "") or "")
            inputs += [w for w in value.replace("@", " ").replace(".", " ").split() if w]
        result = zxcvbn(password[: self.max_checked], user_inputs=inputs)
        if result["score"] >= self.min_score:
            return
        messages = [_("This password is too easy to guess.")]
        reason = self._reason(result)
        if reason:
            messages.append(reason)
        messages.append(
            _(
                "Try a short sentence of your own, or four or five words that go together "
                "only for you."
            )
        )
        raise ValidationError(" ".join(str(m) for m in messages), code="password_guessable")

    @staticmethod
    def _reason(result) -> str:
        sequence = result.get("sequence") or []
        if not sequence:
            return ""
        match = max(sequence, key=lambda m: len(m.get("token", "")))
        pattern = match.get("pattern")
        if pattern == "repeat":
            return _("It repeats the same characters, like “aaaa” or “abcabc”.")
        if pattern == "sequence":
            return _("It follows a series, like “1234” or “abcd”.")
        if pattern == "spatial":
            return _("It follows the keys of the keyboard, like “azerty”.")
        if pattern in ("date", "regex"):
            return _("Dates and years are easy to guess.")
        if pattern == "dictionary":
            if match.get("dictionary_name") == "user_inputs":
                return _("It contains your address, your name or a very common French word.")
            if match.get("dictionary_name") == "passwords":
                return _("Many people use this password or one very close to it.")
            return _("Common words and names on their own are easy to guess.")
        if pattern == "bruteforce":
            return _("It is too short for such a simple mix of characters.")
        return ""

    def get_help_text(self):
        return _("Your password must be hard to guess: a short sentence of your own works well.")
