"""The leaders' pages about their groups: applying, the dashboard, editing, status, leaving.

Views glue forms to services: a form validates, a service changes state, the view redirects.
Every page about one group finds it with `group_for_leader_or_404`, so anyone but its active
leader or co-leader gets a 404.
"""

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from groups.models import Group
from leaders.access import group_for_leader_or_404, role_in
from leaders.models import Leadership
from leaders.rules import current_rules_for, user_accepted_current_rules

from .charts import monthly_bar_chart
from .followups import (
    FollowUpState,
    group_for_return_or_404,
    groups_left_with,
    open_follow_up,
    open_return_request,
)
from .forms import (
    ApplicationGroupForm,
    ApplicationLinksForm,
    ApplicationMeetingsForm,
    ApplicationRulesForm,
    GroupDetailsForm,
    GroupEditForm,
    LeaveRequestForm,
    ReturnRequestForm,
)
from .selectors import (
    APPLICATION_STEPS,
    STEPS_AFTER_LINKS,
    active_co_leader,
    application_next_step,
    application_steps_done,
    application_timeline,
    group_dashboard,
    groups_with_role,
    open_leave_request,
    pending_invitation,
    standing_of,
)
from .services import (
    LEADER_EDITABLE_FIELDS,
    application_rules_confirm,
    group_create_draft,
    group_submit,
    group_update_by_leader,
    leave_request_create,
    return_request_create,
    return_request_withdraw,
)

STEP_TITLES = {
    "group": gettext_lazy("The group"),
    "links": gettext_lazy("Links"),
    "meetings": gettext_lazy("Meetings"),
    "rules": gettext_lazy("Rules and co-leader"),
    "review": gettext_lazy("Review and submit"),
}

DETAIL_STEP_FORMS: dict[str, type[GroupDetailsForm]] = {
    "group": ApplicationGroupForm,
    "links": ApplicationLinksForm,
    "meetings": ApplicationMeetingsForm,
}


def _leader_data(form: BaseForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.fields if name in LEADER_EDITABLE_FIELDS}


def _changed_fields(form: BaseForm, changes: dict[str, Any]) -> str:
    return ", ".join(str(form.fields[name].label) for name in changes)


def _role_label(role: str | None) -> str:
    return str(Leadership.Role(role).label) if role in Leadership.Role.values else ""


# My groups and starting an application ---------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """ "My groups": the groups the user leads or co-leads, and a way to start an application."""
    rules_accepted = user_accepted_current_rules(request.user)
    rows = [
        {
            "group": group,
            "role_label": _role_label(group.my_role),  # type: ignore[attr-defined]
            "can_continue": group.application_editable,
            "next_step": application_next_step(group, rules_accepted=rules_accepted),
        }
        for group in groups_with_role(request.user)
    ]
    left = list(groups_left_with(request.user))
    return render(request, "groups/list.html", {"rows": rows, "left_groups": left})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Step 1 of an application: describe the group; this creates the draft."""
    form = ApplicationGroupForm(request.POST or None, instance=Group())
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create_draft(by=request.user, data=dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your application for %(name)s is saved as a draft.") % {"name": group}
            )
            return redirect("groups:apply_step", slug=group.slug, step="links")
    drafts = [group for group in groups_with_role(request.user) if group.application_editable]
    return render(
        request,
        "groups/apply_group.html",
        {"form": form, "drafts": drafts, **_steps_context(None, "group", rules_accepted=False)},
    )


# The application's steps -------------------------------------------------------------------


def _steps_context(group: Group | None, current: str, *, rules_accepted: bool) -> dict[str, Any]:
    done = (
        application_steps_done(group, rules_accepted=rules_accepted)
        if group is not None
        else dict.fromkeys(APPLICATION_STEPS, False)
    )
    steps = [
        {
            "name": name,
            "number": number,
            "title": STEP_TITLES[name],
            "done": done[name],
            "current": name == current,
        }
        for number, name in enumerate(APPLICATION_STEPS, start=1)
    ]
    index = APPLICATION_STEPS.index(current)
    return {
        "steps": steps,
        "step": steps[index],
        "step_count": len(steps),
        "previous_step": APPLICATION_STEPS[index - 1] if index > 0 else None,
        "next_step": APPLICATION_STEPS[index + 1] if index + 1 < len(steps) else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    """One step of the application, editable while the group is a draft or asked for changes."""
    group = group_for_leader_or_404(request.user, slug)
    if step not in APPLICATION_STEPS:
        raise Http404
    if not group.application_editable:
        messages.info(
            request,
            _(
                "The application of %(name)s is “%(status)s”, so its steps can no longer be "
                "changed. Edit the group's details from its dashboard."
            )
            % {"name": group.name, "status": group.get_status_display()},
        )
        return redirect("groups:dashboard", slug=group.slug)
    if step in STEPS_AFTER_LINKS and not group.home_page_url:
        messages.warning(request, _("Add the group's home page first: every group needs one."))
        return redirect("groups:apply_step", slug=group.slug, step="links")
    if step in DETAIL_STEP_FORMS:
        return _details_step(request, group, step)
    if step == "rules":
        return _rules_step(request, group)
    return _review_step(request, group)


def _after_step(request: HttpRequest, group: Group, step: str) -> HttpResponse:
    index = APPLICATION_STEPS.index(step)
    return redirect("groups:apply_step", slug=group.slug, step=APPLICATION_STEPS[index + 1])


def _details_step(request: HttpRequest, group: Group, step: str) -> HttpResponse:
    # The form validates a copy, so a refused edit never shows on the rest of the page.
    form = DETAIL_STEP_FORMS[step](request.POST or None, instance=copy.copy(group))
    if request.method == "POST" and form.is_valid():
        try:
            group_update_by_leader(group=group, by=request.user, data=_leader_data(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. Your application is kept as a draft."))
            return _after_step(request, group, step)
    rules_accepted = user_accepted_current_rules(request.user)
    return render(
        request,
        f"groups/apply_{step}.html",
        {
            "group": group,
            "form": form,
            "minimum": settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR,
            **_steps_context(group, step, rules_accepted=rules_accepted),
        },
    )


def _rules_step(request: HttpRequest, group: Group) -> HttpResponse:
    rules, acceptance = current_rules_for(request.user)
    co_leader = active_co_leader(group)
    form = ApplicationRulesForm(
        request.POST or None,
        initial={"rules_version": rules.version if rules else None},
        ask_acceptance=rules is not None and acceptance is None,
        ask_co_leader=co_leader is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            application_rules_confirm(
                group=group,
                by=request.user,
                accept_rules_version=form.accepted_version(),
                co_leader_email=form.cleaned_data.get("co_leader_email") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            email = form.cleaned_data.get("co_leader_email")
            if email:
                messages.success(
                    request,
                    _("Saved. We have e-mailed an invitation to %(email)s.") % {"email": email},
                )
            else:
                messages.success(request, _("Saved. Your application is kept as a draft."))
            return _after_step(request, group, "rules")
    return render(
        request,
        "groups/apply_rules.html",
        {
            "group": group,
            "form": form,
            "rules": rules,
            "acceptance": acceptance,
            "co_leader": co_leader,
            "invitation": pending_invitation(group),
            **_steps_context(group, "rules", rules_accepted=rules is None or bool(acceptance)),
        },
    )


def _review_step(request: HttpRequest, group: Group) -> HttpResponse:
    if request.method == "POST":
        try:
            group_submit(group=group, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("groups:dashboard", slug=group.slug)
        messages.success(
            request,
            _("The application of %(name)s is submitted. The program team will review it.")
            % {"name": group.name},
        )
        return redirect("groups:status", slug=group.slug)
    checklist, benefits = standing_of(group, now=timezone.now())
    rules_accepted = user_accepted_current_rules(request.user)
    return render(
        request,
        "groups/apply_review.html",
        {
            "group": group,
            "checklist": checklist,
            "benefits": benefits,
            "invitation": pending_invitation(group),
            "resubmission": group.status == Group.Status.CHANGES_REQUESTED,
            **_steps_context(group, "review", rules_accepted=rules_accepted),
        },
    )


# One group's pages --------------------------------------------------------------------------


@login_required
def status(request: HttpRequest, slug: str) -> HttpResponse:
    """The application's state, its dates and the program team's messages, newest first."""
    group = group_for_leader_or_404(request.user, slug)
    timeline = application_timeline(group)
    latest_decision = next((event.review for event in timeline if event.review), None)
    return render(
        request,
        "groups/status.html",
        {
            "group": group,
            "timeline": timeline,
            "latest_decision": latest_decision,
            "can_edit_application": group.application_editable,
        },
    )


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The group at a glance: status, checklist, next review, meetings against the minimum."""
    group = group_for_leader_or_404(request.user, slug)
    now = timezone.now()
    dashboard = group_dashboard(group, now=now)
    rules_accepted = user_accepted_current_rules(request.user)
    follow_up = open_follow_up(group)
    return render(
        request,
        "groups/dashboard.html",
        {
            "group": group,
            "role_label": _role_label(role_in(group, request.user)),
            "dashboard": dashboard,
            "checklist": dashboard.checklist,
            "benefits": dashboard.benefits,
            "chart": monthly_bar_chart(dashboard.months),
            "can_edit_application": group.application_editable,
            "next_step": application_next_step(group, rules_accepted=rules_accepted),
            "follow_up": follow_up,
            "follow_up_state": (
                FollowUpState(follow_up_by=follow_up.follow_up_by, today=timezone.localdate(now))
                if follow_up is not None and follow_up.follow_up_by is not None
                else None
            ),
            "return_request": open_return_request(group) if group.may_ask_to_return else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the group's details; every change is recorded for the program team."""
    group = group_for_leader_or_404(request.user, slug)
    form = GroupEditForm(request.POST or None, instance=copy.copy(group))
    if request.method == "POST" and form.is_valid():
        try:
            changes = group_update_by_leader(group=group, by=request.user, data=_leader_data(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(
                    request, _("Saved: %(fields)s.") % {"fields": _changed_fields(form, changes)}
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("groups:dashboard", slug=group.slug)
    return render(request, "groups/edit.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask the program team to let the group leave the program."""
    group = group_for_leader_or_404(request.user, slug)
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave_request_create(group=group, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request to leave the program is sent. The program team will process it."),
            )
            return redirect("groups:dashboard", slug=group.slug)
    open_request = open_leave_request(group)
    return render(
        request,
        "groups/leave.html",
        {"group": group, "form": form, "open_request": open_request},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a new review of an inactive, declined or departed group (docs/program.md,
    "Joining": a way back), or follow the open request. A group that left has no active
    leaders: the contacts it had when it left may ask (`followups.return_contacts`)."""
    group = group_for_return_or_404(request.user, slug)
    open_request = open_return_request(group)
    if open_request is None and not group.may_ask_to_return:
        messages.info(
            request,
            _("%(name)s is “%(status)s”: there is no new review to ask for.")
            % {"name": group.name, "status": group.get_status_display()},
        )
        return redirect("groups:dashboard", slug=group.slug)
    form = ReturnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return_request_create(
                group=group, by=request.user, what_changed=form.cleaned_data["what_changed"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request for a new review is sent. The program team will review the "
                    "group and e-mail you its decision."
                ),
            )
            return redirect("groups:return_request", slug=group.slug)
    return render(
        request,
        "groups/return_request.html",
        {
            "group": group,
            "form": form,
            "open_request": open_request,
            "show_nav": group.status != Group.Status.LEFT,
        },
    )


@login_required
@require_http_methods(["POST"])
def return_request_withdraw_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Withdraw the group's open request for a new review."""
    group = group_for_return_or_404(request.user, slug)
    open_request = open_return_request(group)
    if open_request is None:
        messages.info(request, _("There is no open request for a new review."))
        return redirect("groups:return_request", slug=group.slug)
    try:
        return_request_withdraw(request=open_request, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Your request for a new review is withdrawn."))
    return redirect("groups:return_request", slug=group.slug)


def code_of_conduct_example(request: HttpRequest) -> HttpResponse:
    """An example code of conduct for groups that have none (docs/program.md, "Requirement 2:
    code of conduct")."""
    return render(request, "groups/code_of_conduct_example.html")
