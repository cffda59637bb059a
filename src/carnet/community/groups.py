"""The groups, as data: one per situation people share. Add one here, it exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class GroupInfo:
    slug: str
    name: Promise
    about: Promise


GROUPS: tuple[GroupInfo, ...] = (
    GroupInfo(
        "grossesse",
        _("Pregnancy"),
        _("Expecting a baby: questions, worries and tips between future parents."),
    ),
    GroupInfo(
        "diabete-type-2",
        _("Type 2 diabetes"),
        _("Living with type 2 diabetes: food, treatment, daily life."),
    ),
    GroupInfo(
        "aidants-parent-age",
        _("Caring for an elderly parent"),
        _("For people who help a father or a mother who is getting old."),
    ),
    GroupInfo(
        "reeducation-genou-sport",
        _("Knee and sports rehabilitation"),
        _("Getting back on your feet after a knee or sports injury."),
    ),
    GroupInfo(
        "hypertension",
        _("High blood pressure"),
        _("Living with high blood pressure: measuring, treatment, habits."),
    ),
    GroupInfo(
        "asthme",
        _("Asthma"),
        _("Asthma in children and adults: inhalers, attacks, everyday life."),
    ),
    GroupInfo(
        "arret-tabac",
        _("Stopping smoking"),
        _("Stopping smoking together: the hard days and the good ones."),
    ),
)
BY_SLUG = {g.slug: g for g in GROUPS}
