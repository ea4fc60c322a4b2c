from django.urls import path  # noqa: F401

app_name = "program"

urlpatterns: list = []  # type: ignore[type-arg]
