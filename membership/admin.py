"""The program team's side: reviewing applications and groups against the requirements."""

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateTimeField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.admin import (
    ActionSelectionMixin,
    NoDeleteMixin,
    ReadOnlyMixin,
    from_queue,
    queue_back_url,
)
from core.exports import CsvExportMixin, choice_label, country_name, joined
from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from leaders.rules import current_rules_version
from meetings.models import Meeting

from .forms import BulkDecisionForm, DecisionForm, GroupAdminForm
from .models import CodeOfConductCheck, LeaveRequest, Review
from .queue import KIND_LABELS, QueueKind, leave_request_effects, review_queue
from .queue import PAGE_SIZE as QUEUE_PAGE_SIZE
from .requirements import FAILABLE, TITLES, Checklist, Outcome, failing_any_q, failing_q
from .selectors import annotate_requirement_facts, group_checklist, groups_with_checklist_facts
from .services import (
    STAFF_EDITABLE_FIELDS,
    GroupChangedError,
    allowed_decisions,
    group_update,
    leave_request_process,
    leave_request_withdraw,
    review_decide,
)

OUTCOME_CLASS = {Outcome.PASS: "tg-pass", Outcome.WARNING: "tg-warning", Outcome.FAIL: "tg-fail"}
OUTCOME_LABEL = {Outcome.PASS: _("Met"), Outcome.WARNING: _("Warning"), Outcome.FAIL: _("Failed")}


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


class FailingRequirementFilter(admin.SimpleListFilter):
    title = _("failing requirement")
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("any", _("Any requirement")), *((code.value, TITLES[code]) for code in FAILABLE)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Group]) -> QuerySet[Group]:
        value = self.value()
        if not value:
            return queryset
        codes = {code.value: code for code in FAILABLE}
        if value != "any" and value not in codes:
            return queryset.none()
        now = timezone.now()
        facts = annotate_requirement_facts(queryset, rules_version=current_rules_version())
        if value == "any":
            return facts.filter(failing_any_q(now=now))
        return facts.filter(failing_q(codes[value], now=now))


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("due", _("Due now"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Group]) -> QuerySet[Group]:
        if self.value() == "due":
            today = timezone.localdate()
            return queryset.filter(status=Group.Status.ADMITTED, next_review_due__lte=today)
        return queryset


class CountryFilter(admin.SimpleListFilter):
    """Only the countries that have groups, not every country in the world."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        codes = Group.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Group]) -> QuerySet[Group]:
        return queryset.filter(country=self.value()) if self.value() else queryset


#: Added to an action's address by the review queue, so the action leads back to the queue.
QUEUE_RETURN = "from=queue"


def group_contact(role: str, lookup: str) -> Subquery:
    """The group's active leader or co-leader's `lookup` (e.g. "user__email"), one subquery."""
    active = Leadership.objects.active().filter(group=OuterRef("pk"), role=role)
    return Subquery(active.values(lookup)[:1])


def _local_minute(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "–"


def render_checklist(checklist: Checklist) -> str:
    rows = [
        {
            "title": result.title,
            "css": OUTCOME_CLASS[result.outcome],
            "label": OUTCOME_LABEL[result.outcome],
            "message": result.message,
        }
        for result in checklist.results
    ]
    return render_to_string(
        "admin/groups/group/checklist.html", {"rows": rows, "summary": checklist.summary}
    )


class LeadershipInline(admin.TabularInline[Leadership, Group]):
    model = Leadership
    verbose_name_plural = _("Leadership history")
    readonly_fields = ["user", "role", "started_at", "ended_at", "end_reason"]
    fields = [*readonly_fields]
    extra = 0
    can_delete = False
    ordering = ["ended_at", "-started_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Leadership]:
        return super().get_queryset(request).select_related("user")


class ReviewInline(admin.TabularInline[Review, Group]):
    model = Review
    verbose_name_plural = _("Past review decisions")
    readonly_fields = [
        "decided_at",
        "decision",
        "reviewer",
        "summary",
        "message",
        "override_reason",
    ]
    fields = [*readonly_fields]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return super().get_queryset(request).select_related("reviewer")

    @admin.display(description=_("checklist"))
    def summary(self, obj: Review) -> str:
        return f"{obj.requirements_met} / {obj.requirements_total}"


@admin.register(Group)
class GroupAdmin(
    ActionSelectionMixin, CsvExportMixin[Group], NoDeleteMixin, admin.ModelAdmin[Group]
):
    export_fields = [
        (_("ID"), "pk"),
        (_("Name"), "name"),
        (_("Status"), "status", choice_label(Group.Status)),
        (_("City"), "city"),
        (_("Country"), "country", country_name),
        (_("Languages"), "languages", joined),
        (_("Home page"), "home_page_url"),
        (_("Code of conduct"), "code_of_conduct_url"),
        (_("Event page"), "event_page_url"),
        (_("Leader"), group_contact(Leadership.Role.LEADER, "user__name")),
        (_("Leader e-mail"), group_contact(Leadership.Role.LEADER, "user__email")),
        (_("Co-leader"), group_contact(Leadership.Role.CO_LEADER, "user__name")),
        (_("Co-leader e-mail"), group_contact(Leadership.Role.CO_LEADER, "user__email")),
        (_("Azure meetings, 12 months"), "req_azure_meetings"),
        (_("Submitted (UTC)"), "submitted_at"),
        (_("Admitted (UTC)"), "admitted_at"),
        (_("Next review due"), "next_review_due"),
    ]
    form = GroupAdminForm
    list_display = [
        "name",
        "status_badge",
        "requirements",
        "contacts",
        "azure_meetings",
        "next_review_due",
    ]
    list_filter = ["status", FailingRequirementFilter, ReviewDueFilter, CountryFilter]
    search_fields = ["name", "city", "leaderships__user__email"]
    list_per_page = 50
    ordering = ["name"]
    actions = ["admit_selected", "request_changes_selected", "decline_selected"]
    inlines = [LeadershipInline, ReviewInline]
    readonly_fields = [
        "status",
        "submitted_at",
        "admitted_at",
        "next_review_due",
        "created_at",
        "updated_at",
        "checklist",
        "recent_meetings",
        "audit_trail",
        "coc_link_check",
    ]
    fieldsets = [
        (
            _("Program status"),
            {"fields": ["status", "submitted_at", "admitted_at", "next_review_due"]},
        ),
        (_("Requirements"), {"fields": ["checklist"]}),
        (
            _("Group"),
            {"fields": ["name", "slug", "city", "country", "timezone", "languages", "description"]},
        ),
        (
            _("Links"),
            {
                "fields": [
                    "home_page_url",
                    "code_of_conduct_url",
                    "coc_link_check",
                    "event_page_url",
                    "ical_feed_url",
                    "planned_meetings_per_year",
                ]
            },
        ),
        (_("Recent meetings"), {"fields": ["recent_meetings"]}),
        (_("Audit trail"), {"fields": ["audit_trail", "created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # groups come into being by applying in the portal

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return groups_for_checklists(super().get_queryset(request))

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Group) -> str:
        return format_html(
            '<span class="tg-status tg-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("requirements"))
    def requirements(self, obj: Group) -> str:
        checklist = checklist_of(obj)
        failing = ", ".join(result.title for result in checklist.failing)
        css = "tg-pass" if checklist.all_met else "tg-fail"
        return format_html(
            '<span class="tg-badge {}" title="{}">{}</span>', css, failing, checklist.summary
        )

    @admin.display(description=_("leader / co-leader"))
    def contacts(self, obj: Group) -> str:
        by_role = {leadership.role: leadership.user for leadership in obj.active_leaderships}  # type: ignore[attr-defined]
        missing = _("— none —")
        return format_html(
            "{}<br>{}",
            by_role[Leadership.Role.LEADER].email if Leadership.Role.LEADER in by_role else missing,
            by_role[Leadership.Role.CO_LEADER].email
            if Leadership.Role.CO_LEADER in by_role
            else missing,
        )

    @admin.display(description=_("Azure meetings, 12 months"), ordering="req_azure_meetings")
    def azure_meetings(self, obj: Group) -> int:
        return obj.req_azure_meetings  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=_("checklist"))
    def checklist(self, obj: Group) -> str:
        return render_checklist(checklist_of(obj))

    @admin.display(description=_("latest 10 meetings, upcoming included"))
    def recent_meetings(self, obj: Group) -> str | Promise:
        meetings = Meeting.objects.filter(group=obj).order_by("-starts_at")[:10]
        if not meetings:
            return _("No meetings logged.")
        return render_to_string("admin/groups/group/recent_meetings.html", {"meetings": meetings})

    @admin.display(description=_("latest changes"))
    def audit_trail(self, obj: Group) -> str:
        entries = AuditEntry.objects.filter(group=obj).select_related("actor")[:15]
        context = {
            "entries": entries,
            "all_entries_url": reverse("admin:core_auditentry_changelist")
            + f"?group__id__exact={obj.pk}",
        }
        return render_to_string("admin/groups/group/audit_trail.html", context)

    @admin.display(description=_("code of conduct link check"))
    def coc_link_check(self, obj: Group) -> str:
        """The last check of the current link, from the group's own fields (no query)."""
        failing_for = _("%(count)d failed checks in a row, since %(since)s") % {
            "count": obj.coc_link_failures,
            "since": _local_minute(obj.coc_link_failing_since),
        }
        context = {
            "checked": obj.coc_link_checked_at is not None,
            "checked_at": _local_minute(obj.coc_link_checked_at),
            "broken": obj.coc_link_failures > 0,
            "error": obj.coc_link_error,
            "failing_for": failing_for,
            "history_url": reverse("admin:membership_codeofconductcheck_changelist")
            + f"?group__id__exact={obj.pk}",
        }
        return render_to_string("admin/groups/group/coc_link_check.html", context)

    def save_model(self, request: HttpRequest, obj: Group, form: Any, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in STAFF_EDITABLE_FIELDS
        }
        group_update(group=obj, by=request.user, data=data)

    # Decisions ---------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        queue = path(
            "review-queue/",
            self.admin_site.admin_view(self.review_queue_view),
            name="groups_review_queue",
        )
        decide = path(
            "<int:object_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="groups_group_decide",
        )
        return [queue, decide, *super().get_urls()]

    def review_queue_view(self, request: HttpRequest) -> HttpResponse:
        """Everything waiting for the program team, oldest first (groups/queue.py)."""
        if not self.has_review_permission(request):
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
            **self.admin_site.each_context(request),
            "opts": self.opts,
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

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("groups.review_group")

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        group = get_object_or_404(self.get_queryset(request), pk=object_id)
        decisions = allowed_decisions(group)
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
                    expected_version=form.cleaned_data["version"],
                )
            except GroupChangedError as error:
                return self._decide_again(request, object_id, str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("%(group)s: %(decision)s. The leaders are e-mailed.")
                    % {"group": group.name, "decision": review.get_decision_display()},
                    messages.SUCCESS,
                )
                if from_queue(request):
                    return HttpResponseRedirect(reverse("admin:groups_review_queue"))
                return HttpResponseRedirect(reverse("admin:groups_group_change", args=[group.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide on %(group)s") % {"group": group.name},
            "group": group,
            "form": form,
            "checklist": render_checklist(checklist_of(group)),
            "decisions": decisions,
        }
        return TemplateResponse(request, "admin/groups/group/decide.html", context)

    def _decide_again(self, request: HttpRequest, object_id: int, text: str) -> HttpResponse:
        self.message_user(request, text, messages.WARNING)
        url = reverse("admin:groups_group_decide", args=[object_id])
        return HttpResponseRedirect(f"{url}?{QUEUE_RETURN}" if from_queue(request) else url)

    def _bulk_decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Group],
        decision: str,
        label: str | Promise,
    ) -> HttpResponse | None:
        if not self.has_review_permission(request):
            raise PermissionDenied
        groups = list(queryset)
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
                    self.message_user(request, str(error), messages.WARNING)
                except ValidationError as error:
                    text = "; ".join(error.messages)
                    self.message_user(request, f"{group.name}: {text}", messages.ERROR)
                else:
                    done += 1
            self.message_user(
                request,
                _("%(label)s: %(done)d of %(total)d groups. Each got its record and e-mail.")
                % {"label": label, "done": done, "total": len(groups)},
                messages.SUCCESS if done == len(groups) else messages.WARNING,
            )
            return None
        rows = [(group, checklist_of(group)) for group in groups]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": label,
            "rows": rows,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "decision": decision,
        }
        return TemplateResponse(request, "admin/groups/group/bulk_decide.html", context)

    @admin.action(description=_("Admit the selected groups"), permissions=["review"])
    def admit_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return self._bulk_decide(request, queryset, Review.Decision.ADMIT, _("Admit"))

    @admin.action(description=_("Request changes from the selected groups"), permissions=["review"])
    def request_changes_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return self._bulk_decide(
            request, queryset, Review.Decision.REQUEST_CHANGES, _("Request changes")
        )

    @admin.action(description=_("Decline the selected groups"), permissions=["review"])
    def decline_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return self._bulk_decide(request, queryset, Review.Decision.DECLINE, _("Decline"))


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, admin.ModelAdmin[Review]):
    list_display = ["decided_at", "group", "decision", "kind", "reviewer", "summary"]
    list_filter = ["decision", "kind"]
    search_fields = ["group__name", "message"]
    list_select_related = ["group", "reviewer"]
    readonly_fields = ["checklist_table"]
    date_hierarchy = "decided_at"

    @admin.display(description=_("checklist"))
    def summary(self, obj: Review) -> str:
        return f"{obj.requirements_met} / {obj.requirements_total}"

    @admin.display(description=_("checklist as it stood"))
    def checklist_table(self, obj: Review) -> str:
        return render_to_string(
            "admin/membership/review/checklist_table.html", {"checklist": obj.checklist}
        )


@admin.register(CodeOfConductCheck)
class CodeOfConductCheckAdmin(ReadOnlyMixin, admin.ModelAdmin[CodeOfConductCheck]):
    """The history of the daily code-of-conduct link check (groups/coc.py); kept as it was."""

    list_display = ["checked_at", "group", "ok", "status_code", "url", "error"]
    list_filter = ["ok"]
    search_fields = ["group__name", "url"]
    list_select_related = ["group"]
    date_hierarchy = "checked_at"
    fields = ("group", "url", "checked_at", "ok", "status_code", "final_url", "error")
    readonly_fields = fields


class LeaveWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("How did the group withdraw its request?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept in the group's audit trail, e.g. “The leader wrote on 3 May: we stay.”"),
    )


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyMixin, admin.ModelAdmin[LeaveRequest]):
    """Tracked requests; processing one also moves the group, so it is not a plain edit:
    it has its own page (a confirmation of what will happen), reached from the review queue."""

    list_display = ["created_at", "group", "requested_by", "status", "process_link"]
    list_filter = ["status"]
    list_select_related = ["group", "requested_by", "processed_by"]
    search_fields = ["group__name", "requested_by__email"]
    readonly_fields = [
        "group",
        "requested_by",
        "reason",
        "created_at",
        "status",
        "processed_by",
        "processed_at",
        "process_link",
    ]
    fields = [*readonly_fields]

    @admin.display(description=_("process"))
    def process_link(self, obj: LeaveRequest) -> str:
        if obj.status != LeaveRequest.Status.OPEN:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:membership_leaverequest_process", args=[obj.pk]),
            _("Process or record as withdrawn"),
        )

    def get_urls(self) -> list[Any]:
        process = path(
            "<int:pk>/process/",
            self.admin_site.admin_view(self.process_view),
            name="membership_leaverequest_process",
        )
        return [process, *super().get_urls()]

    def has_process_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("membership.change_leaverequest")

    def process_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Confirm, then process (the group leaves) or record that the group withdrew."""
        if not self.has_process_permission(request):
            raise PermissionDenied
        leave = get_object_or_404(
            LeaveRequest.objects.select_related("group", "requested_by", "processed_by"), pk=pk
        )
        back = queue_back_url(
            request, reverse("admin:membership_leaverequest_change", args=[leave.pk])
        )
        action = request.POST.get("action", "")
        withdraw_form = LeaveWithdrawForm(request.POST if action == "withdraw" else None)
        if request.method == "POST":
            try:
                if action == "process":
                    leave_request_process(request=leave, by=request.user)
                    self.message_user(
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
                    self.message_user(
                        request,
                        _("The leave request of %(group)s is recorded as withdrawn.")
                        % {"group": leave.group.name},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(back)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            if action not in {"process", "withdraw"}:
                self.message_user(request, _("Choose one of the buttons."), messages.ERROR)
        is_open = leave.status == LeaveRequest.Status.OPEN
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Leave request of %(group)s") % {"group": leave.group.name},
            "leave": leave,
            "is_open": is_open,
            "effects": leave_request_effects(leave) if is_open else None,
            "withdraw_form": withdraw_form,
            "back": back,
        }
        return TemplateResponse(request, "admin/groups/queue/leave_request_process.html", context)
