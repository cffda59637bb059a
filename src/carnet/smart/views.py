"""The pages of apps: the consent screen (the Coffre's), « Mes applications », and the
SMART configuration document.

The consent screen replaces django-oauth-toolkit's: it says in plain words which app
(publisher, purpose, privacy policy), which kinds of items, reading only, for how long, and
lets the person untick kinds. Allowing creates the access grant first
(``services.connect``), then lets DOT issue the code with the narrowed scopes.
"""

from __future__ import annotations

from urllib.parse import urlparse

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.views import AuthorizationView

from carnet.access import grants
from carnet.access.services import Actor, NotFound
from carnet.accounts import services as accounts
from carnet.web.security import CONTENT_SECURITY_POLICY

from . import scopes as S
from . import services
from .models import App

DURATION_CHOICES = [
    ("month", gettext_lazy("For one month")),
    ("year", gettext_lazy("For one year")),
    ("until_revoked", gettext_lazy("Until I withdraw it")),
]


class ConsentForm(forms.Form):
    """DOT's hidden fields, plus what the person chooses: kinds of items and how long."""

    redirect_uri = forms.CharField(widget=forms.HiddenInput())
    scope = forms.CharField(widget=forms.HiddenInput())
    nonce = forms.CharField(required=False, widget=forms.HiddenInput())
    client_id = forms.CharField(widget=forms.HiddenInput())
    state = forms.CharField(required=False, widget=forms.HiddenInput())
    response_type = forms.CharField(widget=forms.HiddenInput())
    code_challenge = forms.CharField(required=False, widget=forms.HiddenInput())
    code_challenge_method = forms.CharField(required=False, widget=forms.HiddenInput())
    claims = forms.CharField(required=False, widget=forms.HiddenInput())
    resource = forms.CharField(required=False, widget=forms.HiddenInput())
    allow = forms.BooleanField(required=False)
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("What the app may read"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration = forms.ChoiceField(
        label=gettext_lazy("For how long"),
        choices=DURATION_CHOICES,
        initial="month",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = services.kind_words(list(kinds))
        self.fields["kinds"].initial = list(kinds)


class ConsentView(AuthorizationView):
    """GET: the consent screen; POST: allow (narrowed) or refuse."""

    template_name = "smart/consent.html"
    form_class = ConsentForm

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # The consent form sends the person back to the app (a redirect after the POST):
        # the page's form-action allows the app's registered redirect URIs, and only them.
        client_id = request.GET.get("client_id") or request.POST.get("client_id") or ""
        app = services.app_of_client(client_id) if client_id else None
        if app is not None:
            origins = sorted(
                {
                    f"{u.scheme}://{u.netloc}"
                    for u in map(urlparse, app.application.redirect_uris.split())
                    if u.scheme in ("https", "http") and u.netloc
                }
            )
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", " ".join(["form-action 'self'", *origins])
            )
        return response

    def _asked_kinds(self) -> list[str]:
        data = self.request.POST if self.request.method == "POST" else None
        raw = data.get("scope", "") if data else " ".join(self.oauth2_data.get("scopes", []))
        try:
            return S.kinds(S.parse(raw))
        except S.ScopeError:
            return []

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["kinds"] = self._asked_kinds()
        return kwargs

    def get(self, request, *args, **kwargs):
        if request.GET.get("code_challenge_method") != "S256" or not request.GET.get(
            "code_challenge"
        ):
            # SMART App Launch 2.2: PKCE with S256, always; "plain" is refused.
            return HttpResponseBadRequest(
                _("This app must use PKCE with the S256 method: ask its publisher to update it."),
                content_type="text/plain; charset=utf-8",
            )
        if accounts.patient_of(request.user) is None:
            raise Http404()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client_id = self.oauth2_data.get("client_id") if hasattr(self, "oauth2_data") else None
        client_id = client_id or self.request.POST.get("client_id", "")
        context["app"] = services.app_of_client(client_id)
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400  # bad input: said on the page, nothing shared
        return response

    def form_valid(self, form):
        app = services.app_of_client(form.cleaned_data["client_id"])
        patient = accounts.patient_of(self.request.user)
        if app is None or patient is None:
            raise Http404()
        if form.cleaned_data.get("allow"):
            kept = set(form.cleaned_data["kinds"]) & set(self._asked_kinds())
            if not kept:
                form.add_error("kinds", _("Tick at least one kind of item, or refuse."))
                return self.form_invalid(form)
            scopes = S.narrowed(S.parse(form.cleaned_data["scope"]), kept)
            try:
                services.connect(
                    Actor.of_user(self.request.user),
                    patient.pk,
                    app,
                    sorted(kept),
                    form.cleaned_data["duration"],
                )
            except (grants.GrantRefused, NotFound):
                raise Http404() from None
            form.cleaned_data["scope"] = " ".join(scopes)
        return super().form_valid(form)


@require_GET
def smart_configuration(request):
    """``/.well-known/smart-configuration`` (SMART App Launch 2.2)."""
    base = request.build_absolute_uri("/")[:-1]
    body = {
        "issuer": base,
        "authorization_endpoint": base + reverse("smart:authorize"),
        "token_endpoint": base + reverse("smart:token"),
        "revocation_endpoint": base + reverse("smart:revoke"),
        "introspection_endpoint": base + reverse("smart:introspect"),
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "response_types_supported": ["code"],
        "scopes_supported": [
            "launch/patient",
            "openid",
            "fhirUser",
            "offline_access",
            "patient/*.rs",
            "patient/Observation.rs",
            "patient/Immunization.rs",
            "patient/Condition.rs",
            "patient/AllergyIntolerance.rs",
            "patient/MedicationRequest.rs",
            "patient/AuditEvent.rs",
        ],
        "capabilities": [
            "launch-standalone",
            "client-public",
            "client-confidential-symmetric",
            "context-standalone-patient",
            "permission-v2",
            "permission-v1",
            "permission-patient",
            "permission-offline",
        ],
    }
    response = JsonResponse(body)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@require_GET
def my_apps(request):
    """« Mes applications »: the catalogue, each app connected or not, connect or disconnect."""
    patient = accounts.patient_of(request.user)
    if patient is None:
        raise Http404()
    connected = grants.connected_apps(patient.pk)
    rows = []
    for app in services.catalogue():
        grant = connected.get(app.pk)
        rows.append(
            {
                "app": app,
                "grant": grant,
                "kinds": [w for _k, w in services.kind_words(sorted(grant.categories))]
                if grant
                else [w for _k, w in services.kind_words(S.kinds(app.scopes.split()))],
                "connect_url": app.application.redirect_uris.split()[0],
            }
        )
    return render(request, "smart/my_apps.html", {"rows": rows})


@login_required
@require_POST
def disconnect(request, app_id: int):
    patient = accounts.patient_of(request.user)
    app = App.objects.filter(pk=app_id).first()
    if patient is None or app is None:
        raise Http404()
    try:
        services.disconnect(Actor.of_user(request.user), patient.pk, app)
    except NotFound:
        raise Http404() from None
    messages.success(request, _("%(app)s can no longer read your record.") % {"app": app.name})
    return redirect("smart:my_apps")
