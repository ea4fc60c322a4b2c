"""E-mail about a group to its leaders, each in their own language.

Sent by a Celery task queued after the deciding transaction commits.
"""

from django.conf import settings
from django.urls import reverse

from leaders.models import Leadership

from .mail import send_templated
from .models import Review


def notify_review_decision(*, review_id: int) -> int:
    """E-mail a decision to the group's active leader and co-leader; returns messages sent."""
    review = Review.objects.select_related("group").get(pk=review_id)
    leaderships = Leadership.objects.active().filter(group=review.group).select_related("user")
    sent = 0
    for leadership in leaderships:
        user = leadership.user
        sent += send_templated(
            to=user.email,
            language=user.preferred_language,
            template="review_decision",
            context={
                "user": user,
                "review": review,
                "group": review.group,
                "home_url": settings.SITE_URL + reverse("home"),
            },
        )
    return sent
