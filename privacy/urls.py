"""A person's own data: /profile/data/ (download) and /profile/delete/ (namespace "privacy")."""

from django.urls import URLPattern, path

from . import views

app_name = "privacy"

urlpatterns: list[URLPattern] = [
    path("profile/data/", views.PersonalDataView.as_view(), name="personal_data"),
    path("profile/delete/", views.AccountDeleteView.as_view(), name="account_delete"),
    path("account-deleted/", views.AccountDeletedView.as_view(), name="account_deleted"),
]
