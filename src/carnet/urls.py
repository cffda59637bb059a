from django.urls import include, path

from carnet.accounts import language
from carnet.fhir_api.api import api
from carnet.research.api import api as research_api
from carnet.web import views as web_views

# A database too busy to answer is a 503 "try again", never a 500 (carnet.web.middleware).
handler500 = "carnet.web.middleware.server_error"

urlpatterns = [
    path("i18n/setlang/", language.set_language, name="set_language"),
    # Sign-up has an easy-read version (carnet.web.easy_read): allauth's view, our template choice.
    path("accounts/signup/", web_views.sign_up, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("carnet.accounts.urls")),
    path("", include("carnet.records.urls")),
    path("", include("carnet.web.urls")),
    path("", include("carnet.coffre.urls")),
    path("", include("carnet.notify.urls")),
    path("", include("carnet.reminders.urls")),
    path("", include("carnet.care.urls")),
    path("", include("carnet.chat.urls")),
    path("", include("carnet.helpdesk.urls")),
    path("", include("carnet.helppoint.urls")),
    path("", include("carnet.insurance.urls")),
    path("", include("carnet.community.urls")),
    path("", include("carnet.smart.urls")),
    path("", include("carnet.research.urls")),
    path("api/research/", research_api.urls),
    # Last: django-ninja adds a catch-all root ("") that would hide the home page.
    path("", api.urls),
]
