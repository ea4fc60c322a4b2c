from django.urls import path  # noqa: F401

app_name = "leaders"

urlpatterns: list = []  # type: ignore[type-arg]
