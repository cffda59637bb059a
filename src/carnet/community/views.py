"""Entraide pages: thin, they parse the request, call ``services``, render.

Every page: signed in, and (but the list of groups) a member of the group, else 404.
Nothing here is indexable: ``X-Robots-Tag: noindex`` and a robots meta on every page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import checks, groups, services
from .forms import EditForm, JoinForm, PostForm, ReasonForm, ReportForm, SuspendForm, ThreadForm


def community_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except services.NotFound:
            raise Http404 from None
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _member(request, slug):
    return services.membership(request.user, slug)


def refusal(reason: str, **details) -> str:
    texts = {
        "role": _("Groups are open to people with a personal Carnet account."),
        "pseudonym": _(
            "Choose a pseudonym of 3 to 30 letters or digits (spaces, hyphens and "
            "apostrophes inside are fine)."
        ),
        "own_name": _("This pseudonym looks like your name or your email: choose another one."),
        "taken": _("Another member already uses this pseudonym: choose another one."),
        "already": _("You are already a member of this group."),
        "title": _("Write your question in a few words."),
        "empty": _("Write your message, then send it."),
        "long": _("Your message is too long: shorten it, or split it in two."),
        "minute": _("You have sent several messages in a minute. Wait a moment, then send it."),
        "day": _("You have sent many messages today. You can write again tomorrow."),
        "reason": _("Give a reason: the member will read it."),
        "own": _("You cannot thank yourself."),
        "moderator": _("Moderators cannot be blocked. Report a message if it is a problem."),
        "not_held": _("This message is no longer waiting."),
        "days": _("Choose how long."),
        "not_verified": _("Only verified health professionals and advisors moderate."),
    }
    if reason == "suspended":
        until = details.get("until")
        return _(
            "A moderator has suspended you in this group until %(until)s: you can read, "
            "not write. See why in « Moderation notices »."
        ) % {"until": formats.date_format(until, "SHORT_DATE_FORMAT") if until else ""}
    return texts.get(reason, texts["empty"])


def _group_info(slug):
    info = groups.BY_SLUG.get(slug)
    if info is None:
        raise services.NotFound(slug)
    return info


@community_page
def index(request):
    return render(
        request,
        "community/index.html",
        {"rows": services.overview(request.user), "may_join": services.may_join(request.user)},
    )


@community_page
def join(request, slug):
    info = _group_info(slug)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join(request.user, slug, form.cleaned_data["pseudonym"])
        except services.Refused as refused:
            form.add_error("pseudonym", refusal(refused.reason))
        else:
            messages.success(request, _("Welcome to the group."))
            return redirect("community:group", slug=slug)
    if not services.may_join(request.user):
        raise services.NotFound(slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/join.html", {"info": info, "form": form}, status=status)


def _status(request, warning) -> int:
    """400 for a post refused or an incomplete form; 200 for the page, or a confirm step."""
    return 400 if request.method == "POST" and not warning else 200


def _red_flag_message(request, post) -> None:
    if post.red_flag:
        request.session["community_red_flag"] = list(checks.red_flags(post.body))


def _numbers_for(form) -> list[dict]:
    """A text sent back (a confirm step, a refusal) with red-flag words: the numbers at once."""
    if not form.is_bound or not form.is_valid():
        return []
    text = " ".join(str(form.cleaned_data.get(k, "")) for k in ("title", "body"))
    flags = checks.red_flags(text)
    return checks.emergency_numbers(flags) if flags else []


def _numbers_once(request) -> list[dict]:
    flags = request.session.pop("community_red_flag", None)
    return checks.emergency_numbers(tuple(flags)) if flags else []


def _posted(request, post) -> None:
    _red_flag_message(request, post)
    if post.status == post.HELD:
        messages.info(
            request,
            _(
                "Thank you. Your first messages are read by a moderator before the others see "
                "them: this one will show once a moderator lets it through."
            ),
        )
    else:
        messages.success(request, _("Your message is posted."))


@community_page
def group(request, slug):
    member = _member(request, slug)
    return render(
        request,
        "community/group.html",
        {
            "info": _group_info(slug),
            "member": member,
            "threads": services.threads(member),
            "moderators": services.moderators(slug),
            "blocked": services.blocked_count(member),
        },
    )


@community_page
def new_thread(request, slug):
    member = _member(request, slug)
    form = ThreadForm(request.POST or None)
    warning = []
    if request.method == "POST" and form.is_valid():
        try:
            post = services.start_thread(
                member,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                confirmed=request.POST.get("confirm") == "1",
            )
        except services.NeedsConfirmation as ask:
            warning = [checks.KINDS[k] for k in ask.kinds]
        except services.Refused as refused:
            form.add_error(None, refusal(refused.reason, **refused.details))
        else:
            _posted(request, post)
            return redirect("community:thread", slug=slug, thread_id=post.thread_id)
    return render(
        request,
        "community/new_thread.html",
        {
            "info": _group_info(slug),
            "member": member,
            "form": form,
            "warning": warning,
            "numbers": _numbers_for(form),
        },
        status=_status(request, warning),
    )


@community_page
def thread(request, slug, thread_id):
    member = _member(request, slug)
    view = services.read_thread(member, thread_id)
    form = PostForm(request.POST or None)
    warning = []
    if request.method == "POST" and form.is_valid():
        try:
            post = services.reply(
                member,
                thread_id,
                form.cleaned_data["body"],
                confirmed=request.POST.get("confirm") == "1",
            )
        except services.NeedsConfirmation as ask:
            warning = [checks.KINDS[k] for k in ask.kinds]
        except services.Refused as refused:
            form.add_error(None, refusal(refused.reason, **refused.details))
        else:
            _posted(request, post)
            return redirect("community:thread", slug=slug, thread_id=thread_id)
    return render(
        request,
        "community/thread.html",
        {
            "info": _group_info(slug),
            "member": member,
            "thread": view,
            "form": form,
            "warning": warning,
            "numbers": _numbers_once(request) or _numbers_for(form),
        },
        status=_status(request, warning),
    )


@community_page
@require_POST
def thank(request, slug, post_id):
    member = _member(request, slug)
    try:
        services.thank(member, post_id)
    except services.Refused as refused:
        messages.error(request, refusal(refused.reason))
    back = request.POST.get("thread", "")
    if back.isdigit():
        return redirect("community:thread", slug=slug, thread_id=int(back))
    return redirect("community:group", slug=slug)


@community_page
def report(request, slug, post_id):
    member = _member(request, slug)
    post = services.visible_post(member, post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report(member, post_id, form.cleaned_data["reason"])
        messages.success(request, _("Thank you: a moderator will look at this message."))
        return redirect("community:thread", slug=slug, thread_id=post.thread_id)
    return render(
        request,
        "community/report.html",
        {"info": _group_info(slug), "post": post, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@community_page
@require_POST
def block(request, slug, member_id):
    member = _member(request, slug)
    try:
        services.block(member, member_id)
    except services.Refused as refused:
        messages.error(request, refusal(refused.reason))
    else:
        messages.success(
            request,
            _("Done: you will no longer see this member's messages, nor hear from them."),
        )
    return redirect("community:group", slug=slug)


@community_page
@require_POST
def unblock(request, slug):
    member = _member(request, slug)
    services.unblock_all(member)
    messages.success(request, _("You see every member's messages again."))
    return redirect("community:group", slug=slug)


@community_page
def my_notices(request, slug):
    member = _member(request, slug)
    return render(
        request,
        "community/notices.html",
        {"info": _group_info(slug), "member": member, "acts": services.acts_about(member)},
    )


@community_page
def moderation(request, slug):
    mod = _member(request, slug)
    return render(
        request,
        "community/moderation.html",
        {"info": _group_info(slug), "member": mod, "queue": services.queue(mod)},
    )


@community_page
def moderate_post(request, slug, post_id):
    mod = _member(request, slug)
    services.queue(mod)  # NotFound unless a verified moderator of this group
    post = services.group_post(mod, post_id)
    action = request.POST.get("action", "")
    forms_ = {
        "hide": ReasonForm(request.POST if action == "hide" else None, prefix="hide"),
        "edit": EditForm(
            request.POST if action == "edit" else None,
            prefix="edit",
            initial={"body": post.body},
        ),
        "warn": ReasonForm(request.POST if action == "warn" else None, prefix="warn"),
        "suspend": SuspendForm(request.POST if action == "suspend" else None, prefix="suspend"),
    }
    if request.method == "POST":
        done = None
        try:
            if action == "approve":
                services.approve(mod, post_id)
                done = _("The message is now visible to the group.")
            elif action in forms_ and forms_[action].is_valid():
                data = forms_[action].cleaned_data
                if action == "hide":
                    services.hide(mod, post_id, data["reason"])
                    done = _("The message is hidden; its author sees why.")
                elif action == "edit":
                    services.edit(mod, post_id, data["body"], data["reason"])
                    done = _("The message is edited, with a visible mark; its author sees why.")
                elif action == "warn":
                    services.warn(mod, post.author_id, data["reason"], post_id)
                    done = _("The member is warned; they see why.")
                else:
                    services.suspend(mod, post.author_id, data["days"], data["reason"])
                    done = _("The member is suspended; they see why and until when.")
        except services.Refused as refused:
            messages.error(request, refusal(refused.reason))
            return redirect("community:moderate_post", slug=slug, post_id=post_id)
        if done:
            messages.success(request, done)
            return redirect("community:moderation", slug=slug)
    return render(
        request,
        "community/moderate_post.html",
        {"info": _group_info(slug), "member": mod, "post": post, "forms": forms_},
        status=400 if request.method == "POST" else 200,
    )


@community_page
@require_POST
def dismiss(request, slug, report_id):
    mod = _member(request, slug)
    services.dismiss_report(mod, report_id)
    messages.success(request, _("The report is closed; the message stays."))
    return redirect("community:moderation", slug=slug)
