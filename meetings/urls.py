from django.urls import path

from . import import_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("add/", views.MeetingAddView.as_view(), name="add"),
    path("<int:pk>/edit/", views.MeetingEditView.as_view(), name="edit"),
    path("<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="cancel"),
    path("<int:pk>/uncancel/", views.MeetingUncancelView.as_view(), name="uncancel"),
    path("<int:pk>/delete/", views.MeetingDeleteView.as_view(), name="delete"),
    path("import/", import_views.MeetingImportView.as_view(), name="import"),
    path("import/daily/", import_views.FeedAutoImportView.as_view(), name="import_daily"),
]
