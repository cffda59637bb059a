"""French CDA documents (CI-SIS: VSM, VAC, IPS-FR, eP-MED-DM, OBP, BIO, CNAM-HR, level 1).

The French volumes build on IHE PCC and CCD entry templates, read by ``cda``. What is
French: the header conformance templates that tell the file apart, the RPPS identifier
of practitioners (OID 1.2.250.1.71.4.2.1, kept as the Practitioner's first identifier so
that the same professional is one shared record), the CIS/CIP/UCD/MV medicine codes and
EDQM routes (kept as codings next to ATC), and the unstructured document (level 1) whose
PDF is kept beside the CDA.
"""

from __future__ import annotations

from . import cda
from .common import Conversion, parse_xml

KIND = "cda-fr"
FR_TEMPLATES = {"2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1"}


def recognises(template_ids: set[str], realm: str) -> bool:
    return realm.upper() == "FR" or bool(template_ids & FR_TEMPLATES)


def convert(data: bytes) -> Conversion:
    return cda.convert(data, parse_xml(data, "the CDA document"), KIND)
