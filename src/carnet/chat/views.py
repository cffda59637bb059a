"""Emergency chat pages: triage (anyone), the chat (its two participants), the on-call desk.

Views parse, call ``triage`` / ``services`` and render. Every page works without
JavaScript: the numbers to call are in the HTML, a message is a form POST, and a link
reloads the chat; ``chat.js`` adds the live WebSocket and a polling fallback.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carnet.access import acting
from carnet.access.services import Actor, NotFound
from carnet.records import words
from carnet.web.params import bounded_int

from . import services, triage
from .models import ChatStatus


def _person(request) -> tuple[Actor, int] | None:
    """The signed-in person and the record they act on, or None (not a citizen's space)."""
    if not request.user.is_authenticated or request.user.role == "practitioner":
        return None
    found = acting.whose(request)
    return (found.actor, found.patient_id) if found is not None else None


def _current_chat(person):
    if person is None:
        return None
    try:
        return services.current_of(*person)
    except NotFound:
        return None


def _past_chats(person) -> list[dict]:
    """The person's closed chats (for this record, opened by them), for the start page."""
    if person is None:
        return []
    try:
        chats = services.past_of(*person)
    except NotFound:
        return []
    return [
        {"id": c.pk, "service": services.SERVICES.get(c.service, c.service), "at": c.created_at}
        for c in chats
    ]


def _services_context() -> list[dict]:
    staffed = services.staffed()
    return [
        {"key": key, "label": label, "on_call": staffed[key]}
        for key, label in services.SERVICES.items()
    ]


def _questions(answers) -> list[dict]:
    return [{**flag, "answer": answers.get(flag["key"])} for flag in triage.RED_FLAGS]


def _urgent(request, outcome: triage.Outcome):
    return render(
        request,
        "chat/urgent.html",
        {"numbers": outcome.numbers, "suicide": "suicide" in outcome.flags},
    )


@require_http_methods(["GET", "POST"])
def start(request):
    """Red-flag questions first; any "yes" shows the numbers to call, and no chat."""
    person = _person(request)
    context = {
        "numbers": triage.all_numbers(),
        "flags": _questions({}),
        "current": _current_chat(person),
        "past": _past_chats(person),
    }
    if request.method == "GET":
        return render(request, "chat/start.html", context)
    outcome = triage.evaluate(request.POST)
    if outcome.urgent:
        return _urgent(request, outcome)
    if not outcome.complete:
        context["flags"] = _questions(request.POST)
        context["error"] = _("Answer every question with yes or no, then continue.")
        return render(request, "chat/start.html", context, status=400)
    return render(
        request,
        "chat/choose.html",
        {
            "answers": {k: "no" for k in triage.KEYS},
            "services": _services_context(),
            "person": person,
            "numbers": triage.all_numbers(),
        },
    )


@login_required
@require_POST
def open_chat(request):
    person = _person(request)
    if person is None:
        raise Http404()
    outcome = triage.evaluate(request.POST)
    if outcome.urgent:
        return _urgent(request, outcome)
    try:
        chat = services.open_chat(
            *person,
            request.POST.get("service", ""),
            request.POST,
            shares_dataset=request.POST.get("share") == "1",
        )
    except services.ChatRefused as refused:
        error = (
            _(
                "You have asked for the chat several times in the last hour. If it is urgent, "
                "call 15 or 112 now; otherwise, try again in an hour."
            )
            if isinstance(refused, services.TooManyChats)
            else _("Choose a service, then ask for the chat.")
        )
        return render(
            request,
            "chat/choose.html",
            {
                "answers": {k: request.POST.get(k, "") for k in triage.KEYS},
                "services": _services_context(),
                "person": person,
                "numbers": triage.all_numbers(),
                "error": error,
            },
            status=429 if isinstance(refused, services.TooManyChats) else 400,
        )
    except NotFound as exc:
        raise Http404() from exc
    return redirect("chat:room", chat_id=chat.pk)


def _room_context(request, chat, is_pro, lines, error=""):
    return {
        "chat": chat,
        "pro": is_pro,
        "lines": lines,
        "last_id": lines[-1].id if lines else 0,
        "service": services.SERVICES.get(chat.service, chat.service),
        "practitioner": services.practitioner_name(chat),
        "numbers": triage.all_numbers(),
        "error": error,
        "closed": chat.status == ChatStatus.CLOSED,
        "waiting": chat.status == ChatStatus.WAITING,
    }


@login_required
@require_http_methods(["GET", "POST"])
def room(request, chat_id: int):
    """The chat itself. POST sends a message (the fallback without WebSocket or JS)."""
    actor = Actor.of_user(request.user)
    error = ""
    try:
        if request.method == "POST":
            try:
                services.send(actor, chat_id, request.POST.get("text", ""))
            except services.ChatRefused as refused:
                error = (
                    _("This chat is closed: nothing more can be sent.")
                    if "closed" in str(refused)
                    else _("Write your message, then send it.")
                )
            else:
                if request.headers.get("X-Requested-With") == "fetch":
                    return JsonResponse({"ok": True})
                return redirect(request.path + "#chat-form")
        chat, lines = services.lines(actor, chat_id)
        _chat, is_pro = services.side(actor, chat_id)
    except NotFound as exc:
        raise Http404() from exc
    if error and request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"ok": False, "error": error}, status=400)
    return render(
        request,
        "chat/room.html",
        _room_context(request, chat, is_pro, lines, error),
        status=400 if error else 200,
    )


@login_required
@require_GET
def poll(request, chat_id: int):
    """New messages after ``after`` (an id), for the polling fallback."""
    after = bounded_int(request.GET.get("after"))
    try:
        chat, lines = services.lines(Actor.of_user(request.user), chat_id, after)
    except NotFound as exc:
        raise Http404() from exc
    return JsonResponse(
        {
            "status": chat.status,
            "practitioner": services.practitioner_name(chat),
            "messages": [line.as_json() for line in lines],
        }
    )


@login_required
@require_POST
def close(request, chat_id: int):
    try:
        chat = services.close(Actor.of_user(request.user), chat_id)
    except NotFound as exc:
        raise Http404() from exc
    if chat.transcript_id:
        messages.success(request, _("The chat is closed. Its transcript is kept in the record."))
    else:
        messages.success(request, _("The chat is closed."))
    return redirect("chat:room", chat_id=chat_id)


@login_required
def dataset(request, chat_id: int):
    """The emergency information the person agreed to show, for the chat's practitioner."""
    actor = Actor.of_user(request.user)
    try:
        chat, is_pro = services.side(actor, chat_id)
    except NotFound as exc:
        raise Http404() from exc
    if not is_pro:
        raise Http404()
    try:
        resources = services.dataset(actor, chat_id)
    except NotFound:
        return render(request, "chat/dataset_unavailable.html", {"chat": chat}, status=404)
    shown = words.readable(resources)
    # Only the emergency information the person agreed to, not the rest of the record.
    shown["others"] = []
    return render(request, "chat/dataset.html", {"chat": chat, "record": shown})


# --- the practitioner's desk ------------------------------------------------------------------


def _pro(request) -> Actor:
    if request.user.role != "practitioner":
        raise Http404()
    return Actor.of_user(request.user)


def _minutes(since) -> int:
    return max(0, int((timezone.now() - since).total_seconds() // 60))


@login_required
def desk(request):
    actor = _pro(request)
    mine = services.on_call(actor)
    waiting = services.waiting(actor)
    return render(
        request,
        "chat/desk.html",
        {
            "services": [
                {"key": k, "label": label, "on": k in mine}
                for k, label in services.SERVICES.items()
            ],
            "waiting": [{"w": w, "minutes": _minutes(w.created_at)} for w in waiting],
            "waiting_ids": ",".join(str(w.id) for w in waiting),
            "open": services.taken_by(actor),
            "any_on_call": bool(mine),
        },
    )


@login_required
@require_GET
def desk_poll(request):
    actor = _pro(request)
    return JsonResponse({"waiting": [w.id for w in services.waiting(actor)]})


@login_required
@require_POST
def on_call(request):
    actor = _pro(request)
    service = request.POST.get("service", "")
    try:
        if request.POST.get("on") == "1":
            services.join(actor, service)
        else:
            services.leave(actor, service)
    except services.ChatRefused as exc:
        raise Http404() from exc
    return redirect("chat:pro_desk")


@login_required
@require_POST
def take(request, chat_id: int):
    actor = _pro(request)
    try:
        services.take(actor, chat_id)
    except NotFound:
        messages.warning(
            request, _("Another practitioner has already answered this person, or they left.")
        )
        return redirect("chat:pro_desk")
    return redirect("chat:room", chat_id=chat_id)
