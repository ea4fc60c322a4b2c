"""A person's own data: download it (JSON), or delete the account."""

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import TemplateView

from core.forms import add_service_errors
from leaders.models import User

from .forms import AccountDeleteForm
from .personal_data import RoleEnd, account_delete, account_delete_consequences, personal_data


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class PersonalDataView(LoginRequiredMixin, View):
    """GET: everything the portal holds about the signed-in person, as a JSON download."""

    def get(self, request: HttpRequest) -> HttpResponse:
        response = JsonResponse(
            personal_data(signed_in_user(request)),
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        filename = f"tech-groups-my-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        add_never_cache_headers(response)  # personal data: no copy in any cache
        return response


class AccountDeleteView(LoginRequiredMixin, View):
    """Explain what deleting does, warn the last contact of an admitted group, then delete
    with the current password. Program team accounts are refused: an administrator removes
    them."""

    template_name = "privacy/account_delete.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        if user.is_staff or user.is_superuser:
            return self.refused(request)
        roles = account_delete_consequences(user)
        return self.page(request, self.form(request, roles), roles)

    def post(self, request: HttpRequest) -> HttpResponseBase:
        user = signed_in_user(request)
        if user.is_staff or user.is_superuser:
            return self.refused(request)
        roles = account_delete_consequences(user)
        form = self.form(request, roles, data=request.POST)
        if form.is_valid():
            try:
                account_delete(user=user, now=timezone.now())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                logout(request)
                return redirect("privacy:account_deleted")
        return self.page(request, form, roles)

    def form(
        self, request: HttpRequest, roles: list[RoleEnd], data: Any = None
    ) -> AccountDeleteForm:
        return AccountDeleteForm(
            data=data,
            user=signed_in_user(request),
            request=request,
            last_contact=any(role.needs_confirmation for role in roles),
        )

    def page(
        self, request: HttpRequest, form: AccountDeleteForm, roles: list[RoleEnd]
    ) -> HttpResponse:
        context = {
            "form": form,
            "roles": roles,
            "last_contact_roles": [role for role in roles if role.needs_confirmation],
        }
        return render(request, self.template_name, context)

    def refused(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"refused": True}, status=403)


class AccountDeletedView(TemplateView):
    """The goodbye page after deleting an account; anyone may open it."""

    template_name = "privacy/account_deleted.html"
