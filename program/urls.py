from django.urls import path

from . import views

app_name = "program"

urlpatterns = [
    path("calls/", views.CallListView.as_view(), name="calls"),
    path("calls/<int:pk>.ics", views.CallCalendarView.as_view(), name="call_ics"),
    path("content/", views.ContentListView.as_view(), name="content"),
    path("news/", views.NewsListView.as_view(), name="news"),
]
