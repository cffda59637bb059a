"""Telephone numbers, read in one place with Google's libphonenumber (``phonenumbers``).

    normalise(text, region="FR") -> "+33612345678"   (E.164), or BadNumber (a French message)
    is_mobile(e164)              -> bool             (a French mobile: 06, 07, or overseas)

People type « 06 12 34 56 78 », « +33 6 12 34 56 78 », « 0033 6… » or a number of an
overseas department (« 0696 12 34 56 » in Martinique, « 0262… » in La Réunion, which
have their own country codes): see ``parse`` for the order they are tried in.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# France's overseas departments and territories that share its national « 0 » prefix
# but have a country code of their own (Guadeloupe, Martinique, Guyane, La Réunion,
# Mayotte, Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin).
OVERSEAS = ("GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
FRENCH = ("FR", *OVERSEAS)
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

BAD_NUMBER = _(
    "This telephone number looks wrong: check it, for example 06 12 34 56 78, or "
    "+44 7700 900123 for a number outside France."
)


class BadNumber(ValidationError):
    def __init__(self, message=BAD_NUMBER):
        super().__init__(message, code="bad_phone")


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _valid(number: phonenumbers.PhoneNumber | None) -> bool:
    return number is not None and phonenumbers.is_valid_number(number)


def _possible(number: phonenumbers.PhoneNumber | None) -> bool:
    return number is not None and phonenumbers.is_possible_number(number)


def parse(text: str, region: str = "FR") -> phonenumbers.PhoneNumber:
    """The number people typed, read as dialled from ``region``, or BadNumber.

    In this order: a number the plan lists; « 0696 12 34 56 », dialled as a French number
    but belonging to Martinique (each overseas plan is tried); then a number of a possible
    length that the plan does not list (ARCEP's ranges for fiction, « 06 39 98… », and
    other countries' newer blocks).
    """
    text = (text or "").strip()
    number = _parse(text, region)
    if _valid(number):
        return number
    if region == "FR" and not text.startswith(("+", "00")):
        for overseas in OVERSEAS:
            candidate = _parse(text, overseas)
            if _valid(candidate):
                return candidate
    if _possible(number) and phonenumbers.national_significant_number(number).strip("0"):
        return number
    raise BadNumber()


def normalise(text: str, region: str = "FR") -> str:
    """E.164 (« +33612345678 ») from what people type, or BadNumber."""
    return phonenumbers.format_number(parse(text, region), PhoneNumberFormat.E164)


def is_french(e164: str) -> bool:
    number = _parse(e164, "FR")
    return number is not None and (
        number.country_code == 33 or phonenumbers.region_code_for_number(number) in FRENCH
    )


def is_mobile(e164: str) -> bool:
    """A number that takes SMS: a French mobile; another country's number as given."""
    number = _parse(e164, "FR")
    if number is None:
        return False
    if not is_french(e164):
        return True
    if _valid(number):
        return phonenumbers.number_type(number) in MOBILE_TYPES
    # A block the plan does not list (ARCEP's fiction range): mobiles are 06 and 07.
    return number.country_code == 33 and str(number.national_number)[:1] in "67"
