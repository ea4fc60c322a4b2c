"""E-mail about a group to its leaders, each in their own language.

Sent by a Celery task queued after the deciding transaction commits.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from leaders.models import Leadership

from .models import Review


def notify_review_decision(*, review_id: int) -> int:
    """E-mail a decision to the group's active leader and co-leader; returns messages sent."""
    review = Review.objects.select_related("group").get(pk=review_id)
    recipients = [
        leadership.user
        for leadership in Leadership.objects.active()
        .filter(group=review.group)
        .select_related("user")
    ]
    sent = 0
    for user in recipients:
        with translation.override(user.preferred_language):
            context = {
                "LANGUAGE_CODE": user.preferred_language,
                "user": user,
                "review": review,
                "group": review.group,
                "site_url": settings.SITE_URL,
                "home_url": settings.SITE_URL + reverse("home"),
            }
            subject = render_to_string("email/review_decision_subject.txt", context).strip()
            text = render_to_string("email/review_decision.txt", context)
            html = render_to_string("email/review_decision.html", context)
        message = EmailMultiAlternatives(
            subject=settings.EMAIL_SUBJECT_PREFIX + subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            reply_to=[settings.PROGRAM_TEAM_EMAIL],
        )
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent
