from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.admin import ActionSelectionMixin, NoDeleteMixin, ReadOnlyMixin, queue_back_url
from core.exports import CsvExportMixin, choice_label, csv_response
from core.forms import add_service_errors
from groups.models import Group

from .forms import StaffUserChangeForm
from .models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    ProgramRules,
    RequestStatus,
    RulesAcceptance,
    User,
)
from .rules import rules_publish, rules_roster
from .services import (
    APPLY,
    RECORD,
    REJECT,
    active_roles,
    leadership_end,
    leadership_request_plan,
    leadership_request_process,
    leadership_start,
)


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin[User]):
    form = StaffUserChangeForm
    list_display = ["email", "name", "tech_community_id", "preferred_language", "is_staff"]
    list_filter = ["is_staff", "is_active", "preferred_language"]
    search_fields = ["email", "name", "tech_community_id"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "preferred_language", "tech_community_id"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Leadership)
class LeadershipAdmin(
    ActionSelectionMixin, CsvExportMixin[Leadership], NoDeleteMixin, admin.ModelAdmin[Leadership]
):
    export_fields = [
        (_("ID"), "pk"),
        (_("Group"), "group__name"),
        (_("Group status"), "group__status", choice_label(Group.Status)),
        (_("Name"), "user__name"),
        (_("E-mail"), "user__email"),
        (_("Tech Community user ID"), "user__tech_community_id"),
        (_("Role"), "role", choice_label(Leadership.Role)),
        (_("Started (UTC)"), "started_at"),
        (_("Ended (UTC)"), "ended_at"),
        (_("End reason"), "end_reason", choice_label(Leadership.EndReason)),
    ]
    list_display = ["group", "user", "role", "started_at", "ended_at", "end_reason"]
    list_filter = ["role", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["group__name", "user__email", "user__name"]
    list_select_related = ["group", "user"]
    autocomplete_fields = ["group", "user"]
    actions = ["end_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A role is started or ended, never rewritten: history must stay true.
        if obj is None:
            return []
        return ["group", "user", "role", "started_at", "ended_at", "end_reason"]

    def get_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str | list[str] | tuple[str, ...]]:
        if obj is None:
            return ["group", "user", "role"]
        return ["group", "user", "role", "started_at", "ended_at", "end_reason"]

    def save_model(self, request: HttpRequest, obj: Leadership, form: Any, change: bool) -> None:
        if not change:
            created = leadership_start(
                group=obj.group, user=obj.user, role=obj.role, by=request.user
            )
            obj.pk = created.pk

    @admin.action(description=_("End the selected roles (removed by the program team)"))
    def end_selected(self, request: HttpRequest, queryset: QuerySet[Leadership]) -> None:
        ended = 0
        for leadership in queryset.filter(ended_at__isnull=True):
            leadership_end(
                leadership=leadership, by=request.user, reason=Leadership.EndReason.REMOVED
            )
            ended += 1
        self.message_user(request, _("%(n)d roles ended.") % {"n": ended}, messages.SUCCESS)


@admin.register(CoLeaderInvitation)
class CoLeaderInvitationAdmin(ReadOnlyMixin, admin.ModelAdmin[CoLeaderInvitation]):
    list_display = ["group", "email", "status", "created_at", "expires_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["group__name", "email"]
    list_select_related = ["group"]
    exclude = ["token"]


class LeadershipRequestProcessForm(forms.Form):
    """How the program team settles a leadership change request (leadership_request_process)."""

    outcome = forms.ChoiceField(label=_("What to do"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note from the program team"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Kept on the request and in the audit trail. Required unless you apply."),
    )
    roles = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, can_apply: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (RECORD, _("Mark as processed without changing any role (done by hand)")),
            (REJECT, _("Reject the request")),
        ]
        if can_apply:
            choices.insert(0, (APPLY, _("Apply the change shown above and mark as processed")))
        cast(forms.ChoiceField, self.fields["outcome"]).choices = choices

    def expected_roles(self) -> list[int]:
        raw: str = self.cleaned_data.get("roles") or ""
        return [int(pk) for pk in raw.split(",") if pk.isdigit()]


@admin.register(LeadershipChangeRequest)
class LeadershipChangeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin[LeadershipChangeRequest]):
    """Tracked requests; they are processed from the review queue, not edited here.

    A leader's own hand-over or step-down is applied at once and arrives processed; what
    stays open (e.g. "the co-leader has left", "other") waits for the program team.
    """

    list_display = ["created_at", "group", "kind", "requested_by", "status", "process_link"]
    list_filter = ["status", "kind"]
    search_fields = ["group__name", "requested_by__email"]
    list_select_related = ["group", "requested_by"]
    readonly_fields = [
        "group",
        "requested_by",
        "kind",
        "details",
        "created_at",
        "status",
        "staff_note",
        "processed_by",
        "processed_at",
        "process_link",
    ]
    fields = [*readonly_fields]

    @admin.display(description=_("process"))
    def process_link(self, obj: LeadershipChangeRequest) -> str:
        if obj.status != RequestStatus.OPEN:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:leaders_leadershipchangerequest_process", args=[obj.pk]),
            _("Process"),
        )

    def get_urls(self) -> list[Any]:
        process = path(
            "<int:pk>/process/",
            self.admin_site.admin_view(self.process_view),
            name="leaders_leadershipchangerequest_process",
        )
        return [process, *super().get_urls()]

    def has_process_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("leaders.change_leadershipchangerequest")

    def process_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Show the request, the group's roles and the change the portal can apply; settle it."""
        if not self.has_process_permission(request):
            raise PermissionDenied
        change = get_object_or_404(
            LeadershipChangeRequest.objects.select_related("group", "requested_by", "processed_by"),
            pk=pk,
        )
        back = queue_back_url(
            request, reverse("admin:leaders_leadershipchangerequest_change", args=[change.pk])
        )
        is_open = change.status == RequestStatus.OPEN
        roles = active_roles(change.group) if is_open else {}
        plan = leadership_request_plan(change, roles) if is_open else []
        ended = [step for step in plan if not step.restart_as]
        leaves_no_contact = bool(plan) and len(ended) == len(roles)
        form = LeadershipRequestProcessForm(
            request.POST if request.method == "POST" else None,
            can_apply=bool(plan),
            initial={
                # Leaving a group without any contact is never the default.
                "outcome": APPLY if plan and not leaves_no_contact else RECORD,
                "roles": ",".join(str(held.pk) for held in roles.values()),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                leadership_request_process(
                    request=change,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    expected_roles=form.expected_roles(),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    add_service_errors(form, error)
                else:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return HttpResponseRedirect(request.get_full_path())
            else:
                self.message_user(
                    request,
                    _("The leadership change request of %(group)s is %(status)s.")
                    % {"group": change.group.name, "status": change.get_status_display().lower()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Leadership change request of %(group)s") % {"group": change.group.name},
            "change": change,
            "is_open": is_open,
            "roles": sorted(roles.values(), key=lambda held: held.role != Leadership.Role.LEADER),
            "plan": plan,
            "leaves_no_contact": leaves_no_contact,
            "form": form,
            "back": back,
        }
        return TemplateResponse(
            request, "admin/groups/queue/leadership_request_process.html", context
        )


class RulesPublishForm(forms.Form):
    publish_at = forms.SplitDateTimeField(
        label=_("Publish at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_(
            "Empty: now. A later time: the version becomes current then, and its e-mails go out "
            "then."
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "Publish this version: it is frozen, and every leader and co-leader of an admitted "
            "group is asked by e-mail to accept it."
        ),
        error_messages={"required": _("Tick the box to publish.")},
    )


@admin.register(ProgramRules)
class ProgramRulesAdmin(NoDeleteMixin, admin.ModelAdmin[ProgramRules]):
    """Versions of the program rules (docs/program.md, "Program rules versions"): written in
    English and Swedish, published with a confirmation, then frozen; the published version's
    page lists who among the current contacts has accepted it."""

    list_display = ["version", "title", "published_at", "acceptances", "publish_link"]
    fields = ["version", "title", "body", "title_sv", "body_sv", "published_at"]
    frozen = ["version", "title", "body", "title_sv", "body_sv", "published_at", "roster"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.published_at is not None:
            return self.frozen
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Leaders accepted a published text: it is frozen; publish a new version instead.
        if obj is not None and obj.published_at is not None:
            return self.frozen
        return ["published_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramRules]:
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    @admin.display(description=_("acceptances"), ordering="acceptance_count")
    def acceptances(self, obj: ProgramRules) -> int:
        return obj.acceptance_count  # type: ignore[attr-defined,no-any-return]

    @admin.display(description=_("publish"))
    def publish_link(self, obj: ProgramRules) -> str:
        if obj.published_at is not None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:leaders_programrules_publish", args=[obj.pk]),
            _("Publish…"),
        )

    @admin.display(description=_("current contacts of admitted groups"))
    def roster(self, obj: ProgramRules) -> str:
        rows = rules_roster(obj)
        accepted = sum(1 for row in rows if row.accepted_at)
        export = reverse("admin:leaders_programrules_roster", args=[obj.pk])
        summary = format_html(
            '<p>{} <a href="{}">{}</a> · <a href="{}?accepted=no">{}</a></p>',
            _("%(accepted)d of %(total)d have accepted this version.")
            % {"accepted": accepted, "total": len(rows)},
            export,
            _("Export all (CSV)"),
            export,
            _("Export those who have not (CSV)"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.group_name,
                    row.role,
                    row.name,
                    row.email,
                    date_format(localtime(row.accepted_at), "DATETIME_FORMAT")
                    if row.accepted_at
                    else _("not accepted"),
                )
                for row in rows
            ),
        )
        return format_html(
            '{}<table id="rules-roster"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            summary,
            _("group"),
            _("role"),
            _("name"),
            _("e-mail address"),
            _("accepted"),
            body,
        )

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="leaders_programrules_publish",
            ),
            path(
                "<int:pk>/acceptances.csv",
                self.admin_site.admin_view(self.roster_view),
                name="leaders_programrules_roster",
            ),
        ]
        return [*extra, *super().get_urls()]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Confirm and publish a version (`leaders.rules.rules_publish`)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        rules = get_object_or_404(ProgramRules, pk=pk)
        change_url = reverse("admin:leaders_programrules_change", args=[rules.pk])
        if rules.published_at is not None:
            self.message_user(request, _("This version is published already."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = RulesPublishForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                rules_publish(rules=rules, by=request.user, at=form.cleaned_data["publish_at"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Version %(version)d of the program rules is published.")
                    % {"version": rules.version},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Publish version %(version)d of the program rules")
            % {"version": rules.version},
            "rules": rules,
            "form": form,
            "back": change_url,
        }
        return TemplateResponse(request, "admin/leaders/programrules/publish.html", context)

    def roster_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The roster of one version as CSV; `?accepted=no` keeps those who have not."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rules = get_object_or_404(ProgramRules, pk=pk)
        rows = rules_roster(rules)
        if request.GET.get("accepted") == "no":
            rows = [row for row in rows if row.accepted_at is None]
        return csv_response(
            filename=f"program-rules-v{rules.version}-acceptances",
            header=[_("group"), _("role"), _("name"), _("e-mail address"), _("accepted")],
            rows=(
                [row.group_name, row.role, row.name, row.email, row.accepted_at or ""]
                for row in rows
            ),
        )


@admin.register(RulesAcceptance)
class RulesAcceptanceAdmin(ReadOnlyMixin, admin.ModelAdmin[RulesAcceptance]):
    list_display = ["user", "rules", "accepted_at"]
    list_filter = ["rules"]
    search_fields = ["user__email"]
    list_select_related = ["user", "rules"]
