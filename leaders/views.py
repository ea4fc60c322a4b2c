"""Pages about people: the profile, a group's leaders, and answering a co-leader invitation."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.forms import add_service_errors
from notifications.preferences import optional_email_set

from .access import LeaderGroupMixin
from .adapters import remember_language
from .forms import (
    CoLeaderInviteForm,
    InvitationAnswerForm,
    ProfileForm,
    ReportLeftForm,
    StepDownForm,
)
from .models import CoLeaderInvitation, Leadership, ProgramRules, User
from .services import (
    INVITATION_EXPIRED,
    INVITATION_FOREIGN,
    INVITATION_USED,
    InvitationError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
    leadership_hand_over,
    leadership_report_left,
    leadership_step_down,
    profile_update,
)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class ProfileView(LoginRequiredMixin, View):
    template_name = "leaders/profile.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, ProfileForm.for_user(self.user))

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = ProfileForm.for_user(self.user, data=request.POST)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            optional_email = fields.pop("optional_email")
            try:
                with transaction.atomic():
                    user = profile_update(user=self.user, **fields)
                    if optional_email:
                        user = optional_email_set(user=user, choice=optional_email)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                response = redirect("leaders:profile")
                remember_language(request, response, user.preferred_language)
                messages.success(request, _("Your profile is saved."))
                return response
        return self.page(request, form)

    @property
    def user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def page(self, request: HttpRequest, form: ProfileForm) -> HttpResponse:
        return render(request, self.template_name, {"form": form})


class RolesPageMixin(LeaderGroupMixin):
    """The group's active roles and the user's own, for the people page and its actions."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        roles = {
            leadership.role: leadership
            for leadership in Leadership.objects.active()
            .filter(group=self.group)
            .select_related("user")
        }
        mine = next((held for held in roles.values() if held.user_id == self.request.user.pk), None)
        if mine is None:  # the role ended since the access check
            raise Http404
        context.update(
            leader=roles.get(Leadership.Role.LEADER),
            co_leader=roles.get(Leadership.Role.CO_LEADER),
            my_role=mine.role,
            is_leader=mine.role == Leadership.Role.LEADER,
            other=next((held for held in roles.values() if held.pk != mine.pk), None),
        )
        return context


class PeopleView(RolesPageMixin, TemplateView):
    """The group's leader and co-leader, its pending invitation, and what the user may do."""

    template_name = "leaders/people.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invitation = (
            CoLeaderInvitation.objects.filter(
                group=self.group, status=CoLeaderInvitation.Status.PENDING
            )
            .select_related("replaces__user")
            .order_by("-created_at")
            .first()
        )
        context.update(
            invitation=invitation,
            invitation_expired=invitation is not None and invitation.is_expired(),
            program_team_email=settings.PROGRAM_TEAM_EMAIL,
            invite_form=kwargs.get("invite_form") or self.invite_form(context),
        )
        return context

    def invite_form(self, context: dict[str, Any], data: Any = None) -> CoLeaderInviteForm:
        co_leader = context["co_leader"]
        name = co_leader.user.display_name if co_leader is not None else ""
        return CoLeaderInviteForm(data=data, co_leader_name=name)


class InviteView(PeopleView):
    """POST only: invite a co-leader (or the active co-leader's replacement); a refused
    address is shown beside the field."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self.invite_form(RolesPageMixin.get_context_data(self), data=request.POST)
        if form.is_valid():
            try:
                invitation = invitation_create(
                    group=self.group,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    replaces_co_leader=form.cleaned_data.get("replaces_co_leader", False),
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("We sent the invitation to %(email)s.") % {"email": invitation.email},
                )
                return redirect("leaders:people", slug=self.group.slug)
        return self.render_to_response(self.get_context_data(invite_form=form))


class ReportLeftView(RolesPageMixin, TemplateView):
    """Report that the group's other contact has left, optionally taking over as leader and
    inviting a successor (docs/program.md, "Leadership changes")."""

    template_name = "leaders/report_left.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        other = context["other"]
        offer_take_over = other is not None and other.role == Leadership.Role.LEADER
        context["offer_take_over"] = offer_take_over
        context["form"] = kwargs.get("form") or ReportLeftForm(offer_take_over=offer_take_over)
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data()
        if context["other"] is None:
            messages.error(
                request,
                _("Nobody else holds a role in the group, so there is nobody to report as left."),
            )
            return redirect("leaders:people", slug=self.group.slug)
        form = ReportLeftForm(data=request.POST, offer_take_over=context["offer_take_over"])
        if form.is_valid():
            fields = form.cleaned_data
            try:
                change = leadership_report_left(
                    group=self.group,
                    by=request.user,
                    details=fields["details"],
                    takes_over=fields.get("takes_over", False),
                    successor_name=fields["successor_name"],
                    successor_email=fields["successor_email"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "You reported that %(person)s has left the group. The program team "
                        "and %(person)s have been told."
                    )
                    % {"person": context["other"].user.display_name},
                )
                if change.invitation is not None:
                    messages.success(
                        request,
                        _("We sent the invitation to %(email)s.")
                        % {"email": change.invitation.email},
                    )
                return redirect("leaders:people", slug=self.group.slug)
        return self.render_to_response(self.get_context_data(form=form))


class WithdrawInvitationView(LeaderGroupMixin, TemplateView):
    template_name = "leaders/confirm_withdraw.html"

    def get_invitation(self) -> CoLeaderInvitation:
        return get_object_or_404(
            CoLeaderInvitation,
            pk=self.kwargs["pk"],
            group=self.group,
            status=CoLeaderInvitation.Status.PENDING,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.get_invitation()
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        invitation = self.get_invitation()
        try:
            invitation_withdraw(invitation=invitation, by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("The invitation of %(email)s is withdrawn; its link no longer works.")
                % {"email": invitation.email},
            )
        return redirect("leaders:people", slug=self.group.slug)


class HandOverView(RolesPageMixin, TemplateView):
    """Confirm, then swap: the co-leader becomes leader and the leader co-leader."""

    template_name = "leaders/confirm_hand_over.html"

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            leadership_hand_over(group=self.group, by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("You handed leadership over. You are now co-leader."))
        return redirect("leaders:people", slug=self.group.slug)


class StepDownView(RolesPageMixin, TemplateView):
    """Confirm, then end the user's role; a leader chooses whether the co-leader takes over."""

    template_name = "leaders/confirm_step_down.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or StepDownForm()
        context["offer_take_over"] = context["is_leader"] and context["co_leader"] is not None
        context["is_only_contact"] = context["leader"] is None or context["co_leader"] is None
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data()
        takes_over = False
        if context["offer_take_over"]:
            form = StepDownForm(data=request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
            takes_over = form.cleaned_data["co_leader_takes_over"]
        try:
            leadership_step_down(group=self.group, by=request.user, co_leader_takes_over=takes_over)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("leaders:people", slug=self.group.slug)
        messages.success(
            request,
            _("You stepped down from %(group)s. The program team can see the change.")
            % {"group": self.group.name},
        )
        return redirect("groups:list")


#: The answer's HTTP status for each reason an invitation cannot be used.
UNUSABLE_STATUS = {INVITATION_USED: 410, INVITATION_EXPIRED: 410, INVITATION_FOREIGN: 403}


class InvitationView(View):
    """The link in a co-leader invitation e-mail: sign in, then accept or decline.

    Only the invited address sees the group; any other visitor learns nothing about it.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        invitation = (
            CoLeaderInvitation.objects.select_related("group", "invited_by")
            .filter(token=kwargs["token"])
            .first()
        )
        if invitation is None:
            return self.unusable(
                request,
                _(
                    "We do not know this invitation link. Check that you opened the whole link "
                    "from the e-mail."
                ),
                status=404,
            )
        try:
            invitation_check(invitation=invitation, user=request.user, now=timezone.now())
        except InvitationError as error:
            return self.unusable(
                request, error_text(error), status=UNUSABLE_STATUS.get(error.code or "", 410)
            )
        self.invitation = invitation
        if not request.user.is_authenticated:
            return self.anonymous(request)
        self.rules = ProgramRules.objects.current()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.page(request, self.answer_form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        form = self.answer_form(data=request.POST)
        if not form.is_valid():
            return self.page(request, form)
        user = request.user
        assert isinstance(user, User)
        try:
            if form.cleaned_data["answer"] == InvitationAnswerForm.ACCEPT:
                invitation_accept(invitation=self.invitation, user=user)
            else:
                invitation_decline(invitation=self.invitation, user=user)
        except InvitationError as error:  # answered or expired in the meantime
            return self.unusable(
                request, error_text(error), status=UNUSABLE_STATUS.get(error.code or "", 410)
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.page(request, form)
        group = self.invitation.group
        if form.cleaned_data["answer"] == InvitationAnswerForm.DECLINE:
            messages.info(request, _("You declined the invitation."))
            return redirect("home")
        messages.success(
            request, _("Welcome! You are now co-leader of %(group)s.") % {"group": group.name}
        )
        return redirect("groups:dashboard", slug=group.slug)

    def answer_form(self, data: Any = None) -> InvitationAnswerForm:
        return InvitationAnswerForm(data=data, rules_required=self.rules is not None)

    def page(self, request: HttpRequest, form: InvitationAnswerForm) -> HttpResponse:
        context = {"invitation": self.invitation, "rules": self.rules, "form": form}
        return render(request, "leaders/invitation.html", context)

    def anonymous(self, request: HttpRequest) -> HttpResponse:
        back = urlencode({"next": request.path})
        context = {
            "login_url": f"{reverse('account_login')}?{back}",
            "signup_url": f"{reverse('account_signup')}?{back}",
        }
        return render(request, "leaders/invitation_anonymous.html", context)

    def unusable(self, request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
        context = {"reason": reason, "status": status}
        return render(request, "leaders/invitation_unusable.html", context, status=status)
