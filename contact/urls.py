from django.urls import path

from . import views

app_name = "contact"

urlpatterns = [
    path("", views.contact, name="index"),
    path("conversations/", views.thread_list, name="threads"),
    path("conversations/<int:pk>/", views.thread_detail, name="thread"),
]
