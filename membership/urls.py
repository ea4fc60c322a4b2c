from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("apply/", views.apply, name="apply"),
    path(
        "code-of-conduct-example/",
        views.code_of_conduct_example,
        name="code_of_conduct_example",
    ),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/apply/<slug:step>/", views.apply_step, name="apply_step"),
    path("<slug:slug>/status/", views.status, name="status"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/return/", views.return_request, name="return_request"),
    path(
        "<slug:slug>/return/withdraw/",
        views.return_request_withdraw_view,
        name="return_request_withdraw",
    ),
]
