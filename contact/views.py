"""The contact pages: the program team's address, writing to the team, and the person's
conversations with it (docs/program.md, "Contacting the program team")."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors

from .forms import ReplyForm, ThreadStartForm
from .selectors import thread_for_reader_or_404, thread_list_for, thread_messages
from .services import thread_reply, thread_start


def may_write(user: object) -> bool:
    """Staff are the program team: they answer in the admin, they do not write to themselves."""
    return not getattr(user, "is_staff", False)


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    """The team's address and a form that opens a conversation with it."""
    initial = ThreadStartForm.initial_from(request.GET, user=request.user)
    form = ThreadStartForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        if not may_write(request.user):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = thread_start(
                    author=request.user,
                    group=data["group"],
                    kind=data["kind"],
                    subject=data["subject"],
                    body=data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Your message is sent. The program team answers here and by e-mail.")
                )
                return redirect("contact:thread", pk=thread.pk)
    return render(
        request,
        "contact/index.html",
        {
            "form": form,
            "may_write": may_write(request.user),
            "program_team_email": settings.PROGRAM_TEAM_EMAIL,
        },
    )


@login_required
def thread_list(request: HttpRequest) -> HttpResponse:
    """The conversations the person may read: their own, and their groups' that are not
    confidential."""
    return render(
        request,
        "contact/thread_list.html",
        {"threads": list(thread_list_for(request.user)), "may_write": may_write(request.user)},
    )


@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One conversation with its messages, and a reply."""
    thread = thread_for_reader_or_404(request.user, pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread_reply(thread=thread, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message is sent to the program team."))
            return redirect("contact:thread", pk=thread.pk)
    return render(
        request,
        "contact/thread_detail.html",
        {
            "thread": thread,
            "thread_messages": thread_messages(thread),
            "form": form,
            "program_team_email": settings.PROGRAM_TEAM_EMAIL,
        },
    )
