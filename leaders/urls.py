from django.urls import URLPattern, path

from . import rules_views, views

app_name = "leaders"

urlpatterns: list[URLPattern] = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("groups/<slug:slug>/people/", views.PeopleView.as_view(), name="people"),
    path("groups/<slug:slug>/people/invite/", views.InviteView.as_view(), name="invite"),
    path(
        "groups/<slug:slug>/people/invitations/<int:pk>/withdraw/",
        views.WithdrawInvitationView.as_view(),
        name="invitation_withdraw",
    ),
    path("groups/<slug:slug>/people/hand-over/", views.HandOverView.as_view(), name="hand_over"),
    path("groups/<slug:slug>/people/step-down/", views.StepDownView.as_view(), name="step_down"),
    path(
        "groups/<slug:slug>/people/report-left/",
        views.ReportLeftView.as_view(),
        name="report_left",
    ),
    path("invitations/<str:token>/", views.InvitationView.as_view(), name="invitation"),
    path("rules/", rules_views.RulesView.as_view(), name="rules"),
]
