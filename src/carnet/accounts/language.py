"""A person's chosen language follows them: applied at sign-in, saved by the switcher."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.i18n import set_language as django_set_language

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def set_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@receiver(user_logged_in)
def _apply_at_sign_in(sender, request, user, **kwargs):
    if request is not None and user.language in SUPPORTED:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        request._carnet_language = user.language  # the middleware sets the cookie


class SignInLanguageMiddleware:
    """Sets the language cookie on the response of a sign-in (see ``_apply_at_sign_in``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "_carnet_language", None)
        if language:
            set_cookie(response, language)
        return response


def set_language(request):
    """Django's language switcher, which also remembers the choice in the person's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in SUPPORTED:
        if request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response
