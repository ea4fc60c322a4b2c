"""The program team's side: reviewing applications and groups against the requirements.

The model pages; the pages of their own (the review queue, decisions, processing a leave
request) are in admin_views.py, wired in here by `get_urls` and the actions."""

from datetime import datetime
from functools import partial
from typing import Any

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.admin import ActionSelectionMixin, NoDeleteMixin, ReadOnlyMixin
from core.exports import CsvExportMixin, ExportFieldSpec, choice_label, country_name, joined
from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from leaders.rules import current_rules_version
from meetings.models import Meeting

from .admin_views import (
    bulk_decide,
    checklist_of,
    decide_view,
    groups_for_checklists,
    leave_request_process_view,
    may_review,
    render_standing,
    review_queue_view,
)
from .forms import GroupAdminForm
from .models import CodeOfConductCheck, LeaveRequest, Review
from .requirements import (
    Code,
    benefit_ids_missing_q,
    failing_any_q,
    failing_q,
    requirement_title,
)
from .selectors import annotate_requirement_facts
from .services import STAFF_EDITABLE_FIELDS, group_update


class FailingRequirementFilter(admin.SimpleListFilter):
    title = _("failing requirement")
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("any", _("Any requirement")),
            *((code.value, requirement_title(code)) for code in Code),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Group]) -> QuerySet[Group]:
        value = self.value()
        if not value:
            return queryset
        codes = {code.value: code for code in Code}
        if value != "any" and value not in codes:
            return queryset.none()
        now = timezone.now()
        facts = annotate_requirement_facts(queryset, now=now, rules_version=current_rules_version())
        if value == "any":
            return facts.filter(failing_any_q(now=now))
        return facts.filter(failing_q(codes[value], now=now))


class BenefitIdsFilter(admin.SimpleListFilter):
    """Groups whose contacts have not all given the Tech Community user ID that Leaders Hub
    access needs (not a requirement: docs/program.md, "Tech Community user IDs")."""

    title = _("Tech Community user IDs")
    parameter_name = "tc_ids"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("missing", _("Missing (Leaders Hub)")), ("complete", _("Both given"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Group]) -> QuerySet[Group]:
        value = self.value()
        if value not in {"missing", "complete"}:
            return queryset
        facts = annotate_requirement_facts(
            queryset, now=timezone.now(), rules_version=current_rules_version()
        )
        missing = benefit_ids_missing_q()
        return facts.filter(missing) if value == "missing" else facts.exclude(missing)


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


def _met_or_not(fails: bool) -> str:
    return str(_("Not met")) if fails else str(_("Met"))


def group_contact(role: str, lookup: str) -> Subquery:
    """The group's active leader or co-leader's `lookup` (e.g. "user__email"), one subquery."""
    active = Leadership.objects.active().filter(group=OuterRef("pk"), role=role)
    return Subquery(active.values(lookup)[:1])


def _local_minute(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "–"


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

    def export_data(
        self, request: HttpRequest, queryset: QuerySet[Group]
    ) -> tuple[QuerySet[Group], list[ExportFieldSpec]]:
        """The columns above, then the program's five requirements, each met or not met
        (the checklist's SQL twin, `failing_q`, at the time of the export)."""
        now = timezone.now()
        facts = annotate_requirement_facts(queryset, now=now, rules_version=current_rules_version())
        verdicts: list[ExportFieldSpec] = [
            (
                requirement_title(code),
                ExpressionWrapper(failing_q(code, now=now), output_field=BooleanField()),
                _met_or_not,
            )
            for code in Code
        ]
        return facts, [*self.export_fields, *verdicts]

    list_display = [
        "name",
        "status_badge",
        "requirements",
        "contacts",
        "azure_meetings",
        "next_review_due",
    ]
    list_filter = [
        "status",
        FailingRequirementFilter,
        BenefitIdsFilter,
        ReviewDueFilter,
        CountryFilter,
    ]
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
        return render_standing(obj)

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

    # The review queue and decisions (their views: admin_views.py) ----------------------

    def get_urls(self) -> list[Any]:
        queue = path(
            "review-queue/",
            self.admin_site.admin_view(partial(review_queue_view, model_admin=self)),
            name="groups_review_queue",
        )
        decide = path(
            "<int:object_id>/decide/",
            self.admin_site.admin_view(partial(decide_view, model_admin=self)),
            name="groups_group_decide",
        )
        return [queue, decide, *super().get_urls()]

    def has_review_permission(self, request: HttpRequest) -> bool:
        return may_review(request)

    @admin.action(description=_("Admit the selected groups"), permissions=["review"])
    def admit_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return bulk_decide(
            request, queryset, model_admin=self, decision=Review.Decision.ADMIT, label=_("Admit")
        )

    @admin.action(description=_("Request changes from the selected groups"), permissions=["review"])
    def request_changes_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return bulk_decide(
            request,
            queryset,
            model_admin=self,
            decision=Review.Decision.REQUEST_CHANGES,
            label=_("Request changes"),
        )

    @admin.action(description=_("Decline the selected groups"), permissions=["review"])
    def decline_selected(self, request: HttpRequest, queryset: QuerySet[Group]) -> Any:
        return bulk_decide(
            request,
            queryset,
            model_admin=self,
            decision=Review.Decision.DECLINE,
            label=_("Decline"),
        )


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
    """The history of the daily code-of-conduct link check (membership/coc.py); kept as it was."""

    list_display = ["checked_at", "group", "ok", "status_code", "url", "error"]
    list_filter = ["ok"]
    search_fields = ["group__name", "url"]
    list_select_related = ["group"]
    date_hierarchy = "checked_at"
    fields = ("group", "url", "checked_at", "ok", "status_code", "final_url", "error")
    readonly_fields = fields


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
            self.admin_site.admin_view(partial(leave_request_process_view, model_admin=self)),
            name="membership_leaverequest_process",
        )
        return [process, *super().get_urls()]
