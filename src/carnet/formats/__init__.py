"""Carnet's own date formats where Django's locale formats are not what Carnet writes.

Django's locale formats (``django/conf/locale/<lang>/formats.py``) give each language its
order of day, month and year (« 5 mars 2021 », « 5 de marzo de 2021 », « 5 مارس، 2021 »);
pages name them (``|date:"DATE_FORMAT"``) rather than write a pattern by hand. Only what
differs from Django is here (``FORMAT_MODULE_PATH``).
"""
