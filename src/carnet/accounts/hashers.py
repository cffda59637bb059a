"""Password hashing: Argon2id with OWASP's parameters, measured on a 2-core machine.

OWASP's Password Storage Cheat Sheet recommends Argon2id with one of several equivalent
settings; Carnet uses the first, 19 MiB of memory, 2 iterations, 1 lane. Django's default
(100 MiB, 2 iterations, 8 lanes) took 107 ms per hash on the 2-core machine Carnet is
developed on, and a sign-in with 7 people at once 7 to 12 s; these settings take about
17 ms (``python -m bench.signin`` prints the sign-in figures). Existing hashes are
upgraded to these settings at their owner's next sign-in (Django's ``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Same algorithm name and format as Django's hasher: older hashes still verify."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
