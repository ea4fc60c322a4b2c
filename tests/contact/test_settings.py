"""The program team's address is a required production setting, and must be a real one."""

import pytest

from tests.production import production_env, run_in_production


def test_production_refuses_to_start_without_the_program_teams_address():
    env = production_env()
    del env["PROGRAM_TEAM_EMAIL"]

    result = run_in_production("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "PROGRAM_TEAM_EMAIL" in result.stderr


@pytest.mark.parametrize(
    "address",
    ["program-team@example.org", "team@sub.example.com", "team@groups.invalid", "not an address"],
)
def test_production_refuses_a_placeholder_address(address):
    result = run_in_production("manage.py", "check", env=production_env(PROGRAM_TEAM_EMAIL=address))

    assert result.returncode != 0
    assert "PROGRAM_TEAM_EMAIL" in result.stderr


def test_production_takes_a_real_address():
    code = "from django.conf import settings; print(settings.PROGRAM_TEAM_EMAIL)"
    env = production_env(PROGRAM_TEAM_EMAIL=" team@techgroups.se ")

    result = run_in_production("manage.py", "shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "team@techgroups.se"
