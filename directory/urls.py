"""The public group directory, under /directory/ (namespace "directory")."""

from django.urls import path

from . import views as public_views

app_name = "directory"

urlpatterns = [
    path("", public_views.group_list, name="list"),
    path("meetings.ics", public_views.program_calendar, name="ics"),
    path("<slug:slug>/", public_views.group_detail, name="group"),
    path("<slug:slug>/meetings.ics", public_views.group_calendar, name="group_ics"),
]
