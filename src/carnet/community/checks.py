"""What a post looks like before it is sent: personal details, red-flag words.

Both are rules on the typed text only (nothing is read from the record). Personal details
bring a warning and a confirm step, never a refusal: the person decides. Red-flag words
(in the six languages of Carnet) show the emergency numbers at once, those of the
emergency chat (``carnet.chat.triage``).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from carnet.chat import triage


def fold(text: str) -> str:
    """Lower case, without accents: « Poitrine » and « poitrine » are one word."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A French social security number (NIR): sex, year, month, place, order, and its key.
NIR = re.compile(
    r"(?<!\d)[12][\s.]?\d{2}[\s.]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.]?(?:\d{2}|2[AaBb])"
    r"[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?(?!\d)"
)
PHONE = re.compile(
    r"(?<!\d)(?:(?:\+|00)33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)|(?<![\w+])\+\d[\d\s.-]{7,}\d"
)
ADDRESS = re.compile(
    r"(?<!\d)\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|place|all[ée]e|"
    r"impasse|route|quai|cours|street|road|calle|rua|sokak|sokağı|cadde|caddesi)\b"
    r"|(?<!\d)\d{5}\s+[A-ZÀ-Ý][a-zà-ÿ]+",
    re.IGNORECASE,
)
TITLED_NAME = re.compile(
    r"\b(?:Dr|Docteur|Doctor|Madame|Monsieur|Mme|Mr|Mrs|Ms|Pr|Professeur)\.?\s+[A-ZÀ-Ý][\w'-]+"
    r"|\b(?:je m'appelle|je m’appelle|my name is|me llamo|meu nome é|adım)\s+\w+",
    re.IGNORECASE,
)

KINDS = {
    "email": _("an email address"),
    "phone": _("a phone number"),
    "nir": _("a social security number"),
    "address": _("a postal address"),
    "name": _("a person's name"),
}


def personal_details(text: str, own_names: tuple[str, ...] = ()) -> list[str]:
    """The kinds of personal detail the text seems to hold (keys of ``KINDS``), in order."""
    found = []
    if EMAIL.search(text):
        found.append("email")
    without_nir = NIR.sub(" ", text)
    if without_nir != text:
        found.append("nir")
    if PHONE.search(without_nir):
        found.append("phone")
    if ADDRESS.search(text):
        found.append("address")
    words = set(re.findall(r"\w+", fold(text)))
    own = {fold(n) for n in own_names if len(n) >= 3}
    if TITLED_NAME.search(text) or (own & words):
        found.append("name")
    return found


# Red-flag words and phrases, folded (lower case, no accents), in fr, en, es, ar, pt, tr.
# Each leads to the numbers of the matching triage flag.
RED_FLAG_WORDS: dict[str, tuple[str, ...]] = {
    "suicide": (
        "suicide",
        "suicider",
        "me tuer",
        "en finir",
        "plus envie de vivre",
        "kill myself",
        "end my life",
        "suicidal",
        "suicidio",
        "suicidarme",
        "matarme",
        "quitarme la vida",
        "انتحار",
        "انتحر",
        "أقتل نفسي",
        "اقتل نفسي",
        "suicidio",
        "me matar",
        "tirar minha vida",
        "intihar",
        "kendimi öldür",
        "yaşamak istemiyorum",
    ),
    "chest_pain": (
        "douleur thoracique",
        "douleur dans la poitrine",
        "mal a la poitrine",
        "serrement dans la poitrine",
        "oppression thoracique",
        "chest pain",
        "pain in my chest",
        "tight chest",
        "dolor en el pecho",
        "dolor toracico",
        "ألم في الصدر",
        "الم في الصدر",
        "ألم الصدر",
        "dor no peito",
        "dor toracica",
        "göğüs ağrısı",
        "göğsümde ağrı",
    ),
    "stroke": (
        "avc",
        "paralysie",
        "bouche de travers",
        "stroke",
        "ictus",
        "derrame cerebral",
        "سكتة دماغية",
        "جلطة دماغية",
        "derrame",
        "acidente vascular",
        "felç",
        "inme",
    ),
    "breathing": (
        "n'arrive plus a respirer",
        "j'etouffe",
        "etouffe",
        "can't breathe",
        "cannot breathe",
        "no puedo respirar",
        "me ahogo",
        "لا أستطيع التنفس",
        "لا استطيع التنفس",
        "اختناق",
        "nao consigo respirar",
        "sufocando",
        "nefes alamıyorum",
        "boğuluyorum",
    ),
    "bleeding": (
        "hemorragie",
        "saigne beaucoup",
        "heavy bleeding",
        "bleeding a lot",
        "hemorragia",
        "sangrando mucho",
        "نزيف",
        "sangrando muito",
        "kanama",
    ),
}


def red_flags(text: str) -> tuple[str, ...]:
    """The triage flags (``chat.triage.KEYS``) the text's words raise."""
    folded = fold(text)
    words = " " + " ".join(re.findall(r"[\w'’]+", folded)).replace("’", "'") + " "
    out = []
    for key, phrases in RED_FLAG_WORDS.items():
        for phrase in phrases:
            p = fold(phrase)
            # Arabic joins articles and prefixes to words (« الانتحار »): a part of a word counts.
            if f" {p} " in words or ((len(p) > 6 or not p.isascii()) and p in folded):
                out.append(key)
                break
    return tuple(out)


def emergency_numbers(flags: tuple[str, ...]) -> list[dict]:
    """The numbers to call, most specific first (3114 first for suicide), as the chat does."""
    return triage.Outcome(flags=flags, complete=True).numbers
