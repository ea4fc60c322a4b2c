"""The program team's own admin pages beside the model pages: the review queue, the decision on
one group or on a selection of groups, and the processing of a leave request.

Each view is a function that receives the ModelAdmin it belongs to (for its site, its options,
its queryset and its messages); membership/admin.py wires them into the admin's URLs and
actions. Their HTML is in templates/admin/groups/.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateTimeField, IntegerField, QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.admin import from_queue, queue_back_url
from core.forms import add_service_errors
from groups.models import Group
from leaders.rules import current_rules_version

from .followups import FollowUpState, open_follow_up, open_return_request
from .forms import BulkDecisionForm, DecisionForm
from .models import LeaveRequest, ReturnRequest
from .queue import KIND_LABELS, QueueKind, leave_request_effects, review_queue
from .queue import PAGE_SIZE as QUEUE_PAGE_SIZE
from .requirements import (
    BenefitsCheck,
    Checklist,
    Outcome,
    check_benefit_ids,
    evaluate_requirements,
)
from .selectors import group_checklist, groups_with_checklist_facts, requirement_facts
from .services import (
    GroupChangedError,
    allowed_decisions,
    leave_request_process,
    leave_request_withdraw,
    review_decide,
)

#: Added to an action's address by the review queue, so the action leads back to the queue.
QUEUE_RETURN = "from=queue"

OUTCOME_CLASS = {Outcome.PASS: "tg-pass", Outcome.WARNING: "tg-warning", Outcome.FAIL: "tg-fail"}
OUTCOME_LABEL = {Outcome.PASS: _("Met"), Outcome.WARNING: _("Warning"), Outcome.FAIL: _("Failed")}


def may_review(request: HttpRequest) -> bool:
    """Deciding on groups, one at a time, a selection or from the review queue."""
    return request.user.has_perm("groups.review_group")


def may_process_leave_requests(request: HttpRequest) -> bool:
    return request.user.has_perm("membership.change_leaverequest")


# Checklists ----------------------------------------------------------------------------------


def groups_for_checklists(queryset: QuerySet[Group]) -> QuerySet[Group]:
    """`queryset` with what each group's checklist needs, counted at one moment: the facts of
    `groups_with_checklist_facts`, and that moment and the rules version in force as
    annotations of every row, so each checklist of a page is judged as its facts were counted
    and no page asks for the rules version twice."""
    now = timezone.now()
    return groups_with_checklist_facts(queryset, now=now).annotate(
        checklist_now=Value(now, output_field=DateTimeField()),
        checklist_rules_version=Value(current_rules_version(), output_field=IntegerField()),
    )


def checklist_of(group: Group) -> Checklist:
    """The checklist of a group fetched through `groups_for_checklists` (no query)."""
    now = group.checklist_now  # type: ignore[attr-defined]
    rules_version = group.checklist_rules_version  # type: ignore[attr-defined]
    return group_checklist(group, now=now, rules_version=rules_version)


def render_standing(group: Group) -> str:
    """The checklist and what the benefits need, of a group fetched through
    `groups_for_checklists`, from one reading of its facts (no query)."""
    now = group.checklist_now  # type: ignore[attr-defined]
    facts = requirement_facts(group, rules_version=group.checklist_rules_version)  # type: ignore[attr-defined]
    return render_checklist(
        evaluate_requirements(facts, now=now), benefits=check_benefit_ids(facts)
    )


def render_checklist(checklist: Checklist, *, benefits: BenefitsCheck | None = None) -> str:
    """The program's five requirements with their sub-checks, and what the benefits need."""
    rows = [
        {
            "title": result.title,
            "css": OUTCOME_CLASS[result.outcome],
            "label": OUTCOME_LABEL[result.outcome],
            "checks": [
                {"css": OUTCOME_CLASS[check.outcome], "message": check.message}
                for check in result.checks
            ],
            "message": result.message,
        }
        for result in checklist.results
    ]
    context = {"rows": rows, "summary": checklist.summary, "benefits": benefits}
    return render_to_string("admin/groups/group/checklist.html", context)


# The review queue ----------------------------------------------------------------------------


def review_queue_view(
    request: HttpRequest, *, model_admin: admin.ModelAdmin[Group]
) -> HttpResponse:
    """Everything waiting for the program team, oldest first (membership/queue.py)."""
    if not may_review(request):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in {k.value for k in QueueKind} else []
    page_number = request.GET.get("page", "1")
    page = max(1, int(page_number)) if page_number.isdigit() else 1
    now = timezone.now()
    queue = review_queue(
        now=now, kinds=kinds, offset=(page - 1) * QUEUE_PAGE_SIZE, limit=QUEUE_PAGE_SIZE
    )
    pages = max(1, -(-queue.total // QUEUE_PAGE_SIZE))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Review queue"),
        "queue": queue,
        "rows": [(item, item.days_waiting(now)) for item in queue.items],
        "kind": kinds[0] if kinds else "",
        "kinds": [(k, KIND_LABELS[k], queue.counts[k]) for k in QueueKind],
        "all_count": sum(queue.counts.values()),
        "page": page,
        "pages": pages,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "from_queue": QUEUE_RETURN,
    }
    return TemplateResponse(request, "admin/groups/queue/review_queue.html", context)


# Decisions -----------------------------------------------------------------------------------


def decide_view(
    request: HttpRequest, object_id: int, *, model_admin: admin.ModelAdmin[Group]
) -> HttpResponse:
    """One group's checklist and the decisions its status allows."""
    if not may_review(request):
        raise PermissionDenied
    group = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    return_request = open_return_request(group)
    follow_up = open_follow_up(group)
    decisions = allowed_decisions(group, return_request_open=return_request is not None)
    form = DecisionForm(
        request.POST or None, decisions=decisions, initial={"version": group.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = review_decide(
                group=group,
                by=request.user,
                decision=form.cleaned_data["decision"],
                message=form.cleaned_data["message"],
                override_reason=form.cleaned_data["override_reason"],
                follow_up_by=form.cleaned_data.get("follow_up_by"),
                expected_version=form.cleaned_data["version"],
            )
        except GroupChangedError as error:
            return _decide_again(request, object_id, str(error), model_admin=model_admin)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            model_admin.message_user(
                request,
                _("%(group)s: %(decision)s. The leaders are e-mailed.")
                % {"group": group.name, "decision": review.get_decision_display()},
                messages.SUCCESS,
            )
            if from_queue(request):
                return HttpResponseRedirect(reverse("admin:groups_review_queue"))
            return HttpResponseRedirect(reverse("admin:groups_group_change", args=[group.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Decide on %(group)s") % {"group": group.name},
        "group": group,
        "form": form,
        "checklist": render_standing(group),
        "decisions": decisions,
        "return_request": return_request,
        "follow_up": follow_up,
        "follow_up_state": (
            FollowUpState(follow_up_by=follow_up.follow_up_by, today=timezone.localdate())
            if follow_up is not None and follow_up.follow_up_by is not None
            else None
        ),
    }
    return TemplateResponse(request, "admin/groups/group/decide.html", context)


def _decide_again(
    request: HttpRequest, object_id: int, text: str, *, model_admin: admin.ModelAdmin[Group]
) -> HttpResponse:
    model_admin.message_user(request, text, messages.WARNING)
    url = reverse("admin:groups_group_decide", args=[object_id])
    return HttpResponseRedirect(f"{url}?{QUEUE_RETURN}" if from_queue(request) else url)


def bulk_decide(
    request: HttpRequest,
    queryset: QuerySet[Group],
    *,
    model_admin: admin.ModelAdmin[Group],
    decision: str,
    label: str | Promise,
) -> HttpResponse | None:
    """The admin actions' decision on the selected groups: a confirmation page with their
    checklists, then one decision per group (None: the change list shows the messages)."""
    if not may_review(request):
        raise PermissionDenied
    # A decision a group's status does not allow (e.g. "request changes" for an admitted
    # group) is not offered: those groups are listed apart and left as they are.
    returning = set(
        ReturnRequest.objects.filter(
            group__in=queryset, status=ReturnRequest.Status.OPEN
        ).values_list("group_id", flat=True)
    )
    selected = list(queryset)
    groups = [
        group
        for group in selected
        if decision in allowed_decisions(group, return_request_open=group.pk in returning)
    ]
    refused = [group for group in selected if group not in groups]
    form = BulkDecisionForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for group in groups:
            posted = request.POST.get(f"version_{group.pk}", "")
            expected = int(posted) if posted.isdigit() else group.version
            try:
                review_decide(
                    group=group,
                    by=request.user,
                    decision=decision,
                    message=form.cleaned_data["message"],
                    override_reason=form.cleaned_data["override_reason"],
                    expected_version=expected,
                )
            except GroupChangedError as error:
                model_admin.message_user(request, str(error), messages.WARNING)
            except ValidationError as error:
                text = "; ".join(error.messages)
                model_admin.message_user(request, f"{group.name}: {text}", messages.ERROR)
            else:
                done += 1
        for group in refused:
            model_admin.message_user(
                request,
                _("%(group)s: a group that is “%(status)s” cannot get this decision.")
                % {"group": group.name, "status": group.get_status_display()},
                messages.ERROR,
            )
        model_admin.message_user(
            request,
            _("%(label)s: %(done)d of %(total)d groups. Each got its record and e-mail.")
            % {"label": label, "done": done, "total": len(selected)},
            messages.SUCCESS if done == len(selected) else messages.WARNING,
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": label,
        "rows": [(group, checklist_of(group)) for group in groups],
        "refused": refused,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "decision": decision,
    }
    return TemplateResponse(request, "admin/groups/group/bulk_decide.html", context)


# Leave requests ------------------------------------------------------------------------------


class LeaveWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("How did the group withdraw its request?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept in the group's audit trail, e.g. “The leader wrote on 3 May: we stay.”"),
    )


def leave_request_process_view(
    request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin[LeaveRequest]
) -> HttpResponse:
    """Confirm, then process (the group leaves) or record that the group withdrew."""
    if not may_process_leave_requests(request):
        raise PermissionDenied
    leave = get_object_or_404(
        LeaveRequest.objects.select_related("group", "requested_by", "processed_by"), pk=pk
    )
    back = queue_back_url(request, reverse("admin:membership_leaverequest_change", args=[leave.pk]))
    action = request.POST.get("action", "")
    withdraw_form = LeaveWithdrawForm(request.POST if action == "withdraw" else None)
    if request.method == "POST":
        try:
            if action == "process":
                leave_request_process(request=leave, by=request.user)
                model_admin.message_user(
                    request,
                    _(
                        "%(group)s has left the program: its roles have ended and its "
                        "leaders are e-mailed."
                    )
                    % {"group": leave.group.name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
            if action == "withdraw" and withdraw_form.is_valid():
                leave_request_withdraw(
                    request=leave, by=request.user, note=withdraw_form.cleaned_data["note"]
                )
                model_admin.message_user(
                    request,
                    _("The leave request of %(group)s is recorded as withdrawn.")
                    % {"group": leave.group.name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
        except ValidationError as error:
            model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        if action not in {"process", "withdraw"}:
            model_admin.message_user(request, _("Choose one of the buttons."), messages.ERROR)
    is_open = leave.status == LeaveRequest.Status.OPEN
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Leave request of %(group)s") % {"group": leave.group.name},
        "leave": leave,
        "is_open": is_open,
        "effects": leave_request_effects(leave) if is_open else None,
        "withdraw_form": withdraw_form,
        "back": back,
    }
    return TemplateResponse(request, "admin/groups/queue/leave_request_process.html", context)
