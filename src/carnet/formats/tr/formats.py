# « 5 Mart 2021 » (Django: « 05 Mart 2021 »).
DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j F"
DATETIME_FORMAT = "j F Y H:i"
