"""E-mail about a group to its leaders, each in their own language, through the outbox."""

from django.conf import settings
from django.urls import reverse

from leaders.models import Leadership

from .models import OutboxEmail, Review
from .outbox import outbox_enqueue


def review_decision_enqueue(*, review: Review) -> list[OutboxEmail]:
    """Queue a decision's e-mail to the group's active leader and co-leader.

    Called inside the deciding transaction: the e-mails exist exactly when the decision does.
    """
    leaderships = Leadership.objects.active().filter(group=review.group).select_related("user")
    emails = []
    for leadership in leaderships:
        user = leadership.user
        emails.append(
            outbox_enqueue(
                key=f"review_decision:review-{review.pk}:user-{user.pk}",
                kind="review_decision",
                to=user.email,
                language=user.preferred_language,
                template="review_decision",
                context={
                    "user": user,
                    "review": review,
                    "group": review.group,
                    "home_url": settings.SITE_URL + reverse("home"),
                },
                group=review.group,
                user=user,
            )
        )
    return emails
