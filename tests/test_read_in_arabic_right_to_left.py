"""Reading a page in Arabic: names, codes and dates written left to right keep their order.

The shared filters put them in a ``<bdi>`` on a right-to-left page (``label``, ``label_text``,
``day``), and ``bdi`` isolates a person's name on every page, escaped as any value.
"""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from carnet.records import words

pytestmark = pytest.mark.no_db


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_names_and_dates_are_isolated_on_an_arabic_page():
    when = words.When(datetime.date(2021, 3, 5), "day")
    source = "{% load words %}{{ t|label }} · {{ t|label_text }} · {{ w|day }}"
    with translation.override("ar"):
        html = _render(source, t="Metformine 500 mg", w=when)
    assert html.count("<bdi>Metformine 500 mg</bdi>") == 2
    assert '<bdi><time datetime="2021-03-05">5 مارس، 2021</time></bdi>' in html
    with translation.override("fr"):
        html = _render(source, t="Metformine 500 mg", w=when)
    assert "<bdi>" not in html and '<time datetime="2021-03-05">5 mars 2021</time>' in html


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_name_is_isolated_and_escaped_in_every_language(lang):
    with translation.override(lang):
        html = _render("{% load carnet %}{{ n|bdi }}", n="نور <b>حداد</b>")
    assert html == "<bdi>نور &lt;b&gt;حداد&lt;/b&gt;</bdi>"


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("fr", "5 mars 2021", "5 mars 2021 14:30"),
        ("en", "5 March 2021", "5 March 2021, 14:30"),
        ("es", "5 de marzo de 2021", "5 de marzo de 2021 a las 14:30"),
        ("ar", "5 مارس، 2021", "5 مارس 2021، 14:30"),
        ("pt", "5 de Março de 2021", "5 de Março de 2021 às 14:30"),
        ("tr", "5 Mart 2021", "5 Mart 2021 14:30"),
    ],
)
def test_dates_follow_each_language(lang, day, moment):
    source = '{{ d|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}'
    with translation.override(lang):
        html = _render(source, d=datetime.date(2021, 3, 5), m=datetime.datetime(2021, 3, 5, 14, 30))
    assert html == f"{day}|{moment}"


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("fr", "72 battements par minute"),
        ("en", "72 beats per minute"),
        ("es", "72 latidos por minuto"),
        ("ar", "72 نبضة في الدقيقة"),
        ("pt", "72 batimentos por minuto"),
        ("tr", "72 atım/dakika"),
    ],
)
def test_units_follow_each_language(lang, shown):
    heart_rate = {"value": 72, "code": "/min", "system": "http://unitsofmeasure.org"}
    with translation.override(lang):
        assert words.quantity(heart_rate, "8867-4") == shown


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("fr", "vendredi 5 mars 2021, 14:30"),
        ("en", "Friday 5 March 2021, 14:30"),
        ("es", "viernes 5 de marzo de 2021, 14:30"),
        ("ar", "الجمعة 5 مارس 2021، 14:30"),
        ("pt", "sexta-feira, 5 de Março de 2021, 14:30"),
        ("tr", "5 Mart 2021 Cuma, 14:30"),
    ],
)
def test_an_appointments_day_and_hour_follow_each_language(lang, shown):
    moment = datetime.datetime(2021, 3, 5, 14, 30)
    with translation.override(lang):
        html = _render('{% load carnet %}{{ m|weekday_date:"year time" }}', m=moment)
    assert html == shown
