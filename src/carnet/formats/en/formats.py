# A day as Carnet has always written it in English: « 5 March 2021 » (Django: « March 5, 2021 »).
DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j F"  # « 5 March » (Django: « March 5 »)
# A moment the same way, on the 24-hour clock: « 5 March 2021, 14:30 ».
DATETIME_FORMAT = "j F Y, H:i"
