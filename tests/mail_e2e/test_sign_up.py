"""Account e-mail through the outbox: a sign-up while the SMTP server is down.

The sign-up page writes the account and its verification e-mail in one transaction and nudges
the worker on commit; the page never waits for the mail server. The shared worker tries,
is refused, retries with backoff (cut to 1 s), and delivers once the server is back.
"""

import re
import time
from email.message import EmailMessage

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from leaders.models import User
from notifications.models import OutboxEmail
from notifications.outbox import REMOVED_TEXT
from notifications.tasks import sweep_outbox

from .harness import statuses, tally, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxEmail.Status
PASSWORD = "a brand new passphrase 42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def plain_text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_sign_up_with_the_smtp_server_down_sends_the_verification_once_it_is_back(
    client, worker, smtp
):
    smtp.stop()
    started = time.monotonic()
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    took = time.monotonic() - started

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    row = OutboxEmail.objects.get(to_email="new@example.org")
    assert (row.kind, row.priority, row.user) == (
        "account_email_confirmation_signup",
        OutboxEmail.Priority.URGENT,
        user,
    )

    def refused_twice() -> bool:
        # Waiting for its next try: a row being tried again is "sending", with the last
        # refusal still in last_error.
        row.refresh_from_db()
        return (
            row.attempts >= 2
            and row.status == Status.PENDING
            and "Connection refused" in row.last_error
        )

    wait_until(refused_twice, what="two refused tries of the verification e-mail")
    smtp.start()
    wait_until(lambda: statuses() == {Status.SENT: 1}, what="the verification e-mail sent")
    refused_tries = OutboxEmail.objects.get(pk=row.pk).attempts - 1

    sweep_outbox.apply_async()  # as beat sends it a minute later
    wait_until(lambda: worker.results("sweep_outbox"), what="the sweep")
    assert worker.results("sweep_outbox") == ["{}"]

    arrivals = tally(
        "sign-up with SMTP down",
        [row.pk],
        smtp.mailbox,
        refused_tries=refused_tries,
        task_retries=len(re.findall(r"retry: Retry in \d+s", worker.output())),
        request_ms=int(took * 1000),
    )
    assert arrivals == {row.pk: 1}
    (message,) = smtp.mailbox.messages
    assert str(message["To"]) == "new@example.org"
    link = CONFIRM_LINK.search(plain_text_of(message))
    assert link is not None, plain_text_of(message)
    row.refresh_from_db()
    assert row.body_text == REMOVED_TEXT  # the secret is gone from the database once sent
    assert link.group(1) not in row.body_text + row.body_html

    confirmed = client.post(link.group(1))
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)  # signed in, in the same browser
