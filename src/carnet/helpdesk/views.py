"""Help centre pages: questions and answers, search, asking an advisor, the advisors' inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carnet.web.easy_read import template_for

from . import articles, search, services
from .forms import AnswerForm, AskForm, ReplyForm, SearchForm


def _links(article: articles.Article) -> list[dict]:
    out = []
    for link in article.links:
        if link.url_name.startswith("tel:"):
            out.append({"href": link.url_name, "label": link.label, "tel": True})
            continue
        try:
            out.append({"href": reverse(link.url_name), "label": link.label, "tel": False})
        except NoReverseMatch:
            continue  # a page that is not installed: leave the link out rather than break
    return out


def _refusal(reason: str) -> str:
    texts = {
        "open": _(
            "You already have %(n)s questions open. Close one that is answered, or wait for an "
            "answer, before you ask another."
        )
        % {"n": services.MAX_OPEN},
        "daily": _(
            "You have asked %(n)s questions today. Ask again tomorrow, or go to a public help "
            "point (France Services, town hall) to meet an advisor."
        )
        % {"n": services.MAX_PER_DAY},
        "unanswered": _(
            "You have sent several messages in a row. An advisor will read them together; you "
            "can write again after their answer."
        ),
        "closed": _("This question is closed. Ask a new question if you still need help."),
        "empty": _("Write your message, then send it."),
    }
    return texts.get(reason, texts["empty"])


def index(request):
    return render(
        request,
        template_for(request, "helpdesk/index.html"),
        {
            "topics": articles.TOPICS,
            "form": SearchForm(),
            "may_ask": services.may_ask(request.user),
        },
    )


def search_page(request):
    """Search by POST only: the words people type never go into an address."""
    if request.method != "POST":
        return redirect("helpdesk:index")
    form = SearchForm(request.POST)
    results = search.search(form.cleaned_data["q"]) if form.is_valid() else []
    return render(
        request,
        "helpdesk/search.html",
        {
            "form": form,
            "results": results,
            "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
            "may_ask": services.may_ask(request.user),
        },
        status=400 if form.errors else 200,
    )


def article_page(request, slug: str):
    article = articles.get(slug)
    if article is None:
        raise Http404()
    topic = next(t for t in articles.TOPICS if t.slug == article.topic)
    return render(
        request,
        "helpdesk/article.html",
        {
            "article": article,
            "topic": topic,
            "links": _links(article),
            "related": [a for a in topic.articles if a.slug != slug],
            "may_ask": services.may_ask(request.user),
        },
    )


@login_required
def ask(request):
    if not services.may_ask(request.user):
        raise Http404()
    # A "no result" search sends its words here to start the question: shown, not sent.
    prefill = request.method == "POST" and request.POST.get("step") == "prefill"
    about = request.GET.get("article", "")
    if prefill or request.method != "POST":
        initial = {"about": about if articles.get(about) else ""}
        if prefill:
            initial["subject"] = request.POST.get("q", "")[: services.MAX_SUBJECT]
        form = AskForm(initial=initial)
    else:
        form = AskForm(request.POST)
    limit = ""
    try:
        services.check_may_open(request.user)
    except services.Refused as refused:
        limit = _refusal(refused.reason)
    if request.method == "POST" and not prefill and not limit and form.is_valid():
        cd = form.cleaned_data
        try:
            req = services.ask(request.user, cd["subject"], cd["text"], cd.get("about", ""))
        except services.Refused as refused:
            if refused.reason in ("open", "daily"):
                limit = _refusal(refused.reason)
            else:
                form.add_error(None, _refusal(refused.reason))
        else:
            messages.success(
                request, _("Your question is sent. You will be told when an advisor answers.")
            )
            return redirect("helpdesk:request", request_id=req.pk)
    about_article = articles.get(form["about"].value() or "")
    return render(
        request,
        "helpdesk/ask.html",
        {"form": form, "limit": limit, "about": about_article},
        status=400 if form.errors or (limit and request.method == "POST" and not prefill) else 200,
    )


@login_required
def my_requests(request):
    if not services.may_ask(request.user):
        raise Http404()
    return render(request, "helpdesk/mine.html", {"threads": services.for_asker(request.user)})


@login_required
def thread(request, request_id: int):
    user = request.user
    try:
        found = services.open_thread(user, request_id)
    except services.NotFound:
        raise Http404() from None
    advisor = services.is_advisor(user)
    form_class = AnswerForm if advisor else ReplyForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if advisor:
                services.answer(user, request_id, text)
            else:
                services.reply(user, request_id, text)
        except services.NotFound:
            raise Http404() from None
        except services.Refused as refused:
            form.add_error(None, _refusal(refused.reason))
        else:
            if advisor:
                messages.success(request, _("Your answer is sent. The person is told."))
                return redirect("helpdesk:advisor_inbox")
            messages.success(request, _("Your message is sent."))
            return redirect("helpdesk:request", request_id=request_id)
    return render(
        request,
        "helpdesk/thread.html",
        {
            "thread": found,
            "form": form,
            "advisor": advisor,
            "about": articles.get(found.about),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def close(request, request_id: int):
    try:
        services.close(request.user, request_id)
    except services.NotFound:
        raise Http404() from None
    messages.success(
        request, _("Your question is closed. You can still read it, and ask a new one any time.")
    )
    return redirect("helpdesk:request", request_id=request_id)


@login_required
def advisor_inbox(request):
    try:
        threads = services.inbox(request.user)
    except services.NotFound:
        raise Http404() from None
    waiting = [t for t in threads if t.status == "waiting"]
    answered = [t for t in threads if t.status != "waiting"]
    return render(request, "helpdesk/inbox.html", {"waiting": waiting, "answered": answered})
