"""The header's easy-read switch and, on the pages that have it, the « Écouter » button."""

from django import template

from carnet.web import easy_read

register = template.Library()


@register.inclusion_tag("web/easy_read_bar.html", takes_context=True)
def easy_read_bar(context) -> dict:
    request = context.get("request")
    if request is None:
        return {"shown": False}
    return {
        "shown": True,
        "on": easy_read.is_on(request),
        "read_aloud": easy_read.reads_aloud(request),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("web/picto.html")
def picto(name: str, alt: str = "") -> dict:
    """A pictogram of ``carnet/pictos/`` (an <img>): ``alt`` empty when the words beside it
    say the same."""
    return {"src": f"carnet/pictos/{name}.svg", "alt": alt}
