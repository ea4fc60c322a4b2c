"""The program team: a Django group with the permissions its work needs, and no more."""

import pytest
from django.contrib.auth.models import Group as AuthGroup

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PROGRAM_TEAM = "Program team"


def team_permissions() -> set[str]:
    team = AuthGroup.objects.get(name=PROGRAM_TEAM)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in team.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def program_team_member():
    member = StaffFactory()
    member.groups.add(AuthGroup.objects.get(name=PROGRAM_TEAM))
    return member


def test_program_team_exists_after_migrations():
    assert AuthGroup.objects.filter(name=PROGRAM_TEAM).exists()


def test_program_team_has_no_superuser_members():
    team = AuthGroup.objects.get(name=PROGRAM_TEAM)

    assert not team.user_set.filter(is_superuser=True).exists()


@pytest.mark.parametrize(
    "permission",
    [
        "groups.review_group",
        "groups.view_group",
        "groups.change_group",
        "core.view_auditentry",
    ],
)
def test_program_team_may_do_its_work(permission):
    assert permission in team_permissions()


@pytest.mark.parametrize(
    "permission",
    [
        "core.change_auditentry",
        "core.delete_auditentry",
        "core.add_auditentry",
        "groups.delete_group",
    ],
)
def test_program_team_may_not_rewrite_history_or_delete_groups(permission):
    assert permission not in team_permissions()


def test_program_team_has_no_delete_permission_at_all():
    assert not {permission for permission in team_permissions() if ".delete_" in permission}


def test_member_reviews_groups_without_being_a_superuser():
    member = program_team_member()

    assert not member.is_superuser
    assert member.has_perm("groups.review_group")


def test_member_cannot_delete_audit_entries():
    member = program_team_member()

    assert not member.has_perm("core.delete_auditentry")
    assert not member.has_perm("core.change_auditentry")
