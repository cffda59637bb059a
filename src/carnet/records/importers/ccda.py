"""C-CDA R2.1 documents (CCD, discharge summary, referral, notes…), read by ``cda``.

C-CDA names its entries with 2.16.840.1.113883.10.20.22.4.* templates and its sections
with the same LOINC codes as the French volumes; practitioners carry their NPI
(2.16.840.1.113883.4.6). A document with no clinical section that Carnet maps (an
operative or imaging report, say) is still imported: it becomes a DocumentReference with
the original kept, so nothing of it is lost.
"""

from __future__ import annotations

from . import cda
from .common import Conversion, parse_xml

KIND = "ccda"
US_REALM_HEADER = "2.16.840.1.113883.10.20.22.1.1"


def recognises(template_ids: set[str], realm: str) -> bool:
    return realm.upper() == "US" or US_REALM_HEADER in template_ids


def convert(data: bytes) -> Conversion:
    return cda.convert(data, parse_xml(data, "the C-CDA document"), KIND)
