"""Why an import was refused (``ImportRefused``) or put off (``ImportBusy``); nothing written.

Apart from ``imports`` so that ``import_staging``, which ``imports`` uses, can raise them too.
"""

from __future__ import annotations

from . import identity


class ImportRefused(ValueError):
    """The file was refused; nothing was written.

    ``str()`` says which entry and why, in English, for whoever produced the file;
    ``reason`` (one of REASONS) and ``entry`` let an interface explain it in the person's
    own language.
    """

    REASONS = (
        "too_big",
        "unreadable",
        "not_bundle",
        "entry",
        "several_people",
        "no_patient",
        "no_record",
        "other_person",
        "busy",
        "too_many",
    )

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        entry: int | None = None,
        other_entry: int | None = None,
        mismatch: identity.Mismatch | None = None,
    ):
        super().__init__(message)
        assert reason in self.REASONS
        self.reason, self.entry, self.other_entry = reason, entry, other_entry
        # For "other_person": who the file and the record are about, and what differs.
        self.mismatch = mismatch


class ImportBusy(ImportRefused):
    """Not now: another import into this record is being written ("busy"), or the person
    started too many imports in the last hour ("too_many"). Nothing was written;
    ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, *, reason: str, retry_after: int):
        super().__init__(message, reason=reason)
        self.retry_after = retry_after
