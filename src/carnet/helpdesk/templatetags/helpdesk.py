"""The advisor's summary of open help requests, shown on their home page."""

from django import template

from carnet.helpdesk import services

register = template.Library()


@register.inclusion_tag("helpdesk/_advisor_summary.html", takes_context=True)
def advisor_summary(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not services.is_advisor(user):
        return {"show": False}
    return {"show": True, "waiting": services.waiting_count()}
