"""The health check the container orchestration polls."""

import pytest


@pytest.mark.django_db
def test_health_check_answers_ok_without_signing_in(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_check_sets_no_cookies(client):
    response = client.get("/healthz/")

    assert not response.cookies


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
