"""Document files: recognised by content, photos cleaned of metadata, PDF text extracted.

Also the helpers the other document tests use to make small real files.
"""

import io

import pytest
from PIL import Image

from carnet.records import document_files

from .files import jpeg_with_gps, pdf_with_text

pytestmark = pytest.mark.no_db


def test_it_recognises_files_by_content_not_name():
    assert document_files.check(pdf_with_text()) == "pdf"
    assert document_files.check(jpeg_with_gps()) == "jpeg"
    with pytest.raises(document_files.Refused):
        document_files.check(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)  # a Windows program


def test_it_strips_exif_and_gps_from_a_photo():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    cleaned = document_files.clean_image(original, "jpeg")
    image = Image.open(io.BytesIO(cleaned))
    assert not image.getexif()
    assert b"PhoneMaker" not in cleaned and b"Exif" not in cleaned
    assert image.size == (64, 48)


def test_it_extracts_the_text_of_a_pdf():
    info = document_files.pdf_text(pdf_with_text())
    assert info.pages == 1
    assert "Hémoglobine glyquée" in info.text


def test_it_refuses_a_damaged_image():
    with pytest.raises(document_files.Refused):
        document_files.clean_image(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "jpeg")
