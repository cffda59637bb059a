# Django gives Arabic no moment format (it falls back to « مارس 5, 2021, 2:30 م »).
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
