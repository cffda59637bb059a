"""How the kinds of proxy permissions and legal bases are said on the pages."""

from django.utils.translation import gettext_lazy

PERMISSION_LABELS = {
    "read": gettext_lazy("Read the record"),
    "appointments": gettext_lazy("Manage appointments"),
    "messages": gettext_lazy("Write messages to the care team"),
    "manage": gettext_lazy("Manage the record (add, share)"),
}
BASIS_LABELS = {
    "choice": gettext_lazy("My own choice"),
    "mandate": gettext_lazy("A mandat de protection future"),
    "court": gettext_lazy("A court decision (tutelle, curatelle…)"),
    "parent": gettext_lazy("Parental authority"),
}
