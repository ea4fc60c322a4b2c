"""The e-mail outbox: each e-mail is a row written with its change, claimed, sent once."""

import importlib
import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership
from leaders.services import invitation_create, invitation_withdraw
from notifications.models import OutboxEmail
from notifications.outbox import (
    CLAIM_LEASE,
    HANDED_LEASE,
    MAX_ATTEMPTS,
    OutboxMailer,
    outbox_deliver,
    outbox_enqueue,
    outbox_nudge,
    outbox_resend,
    outbox_sweep,
)
from notifications.tasks import deliver_outbox_email, sweep_outbox
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    StaffFactory,
    UserFactory,
)

Status = OutboxEmail.Status
LIST_URL = reverse("admin:notifications_outboxemail_changelist")
SWEEP_MIGRATION = "notifications.migrations.0002_sweep_schedule"


def enqueue(key: str = "test:1", to: str = "leader@example.org", **kwargs) -> OutboxEmail:
    group = kwargs.pop("group", None) or GroupFactory()
    return outbox_enqueue(
        key=key,
        kind="review_decision",
        to=to,
        language=kwargs.pop("language", "en"),
        template="coleader_invitation",
        inputs={"invitation": unsaved_invitation(group=group, to=to)},
        group=group,
    )


def unsaved_invitation(*, group: Group, to: str) -> CoLeaderInvitation:
    """What the invitation e-mail needs, without saving an invitation."""
    return CoLeaderInvitation(
        group=group,
        email=to,
        token="abc",
        invited_by=UserFactory(),
        expires_at=timezone.now() + timedelta(days=14),
    )


def pending_rows(count: int, *, first: int = 0) -> list[OutboxEmail]:
    """Rows as if queued while nobody nudged the worker (no on-commit callbacks run)."""
    group = GroupFactory()
    with mock.patch("notifications.outbox.outbox_nudge"):
        return [
            enqueue(key=f"test:{n}", to=f"person{n}@example.org", group=group)
            for n in range(first, first + count)
        ]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# Queuing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_queuing_the_same_key_twice_makes_one_row_and_one_email(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue()

    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1
    assert recipients() == ["leader@example.org"]


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    group = GroupFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(group=group)
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_row_is_rendered_in_the_recipients_language_when_queued():
    email = enqueue(language="sv")

    assert email.status == Status.PENDING
    assert email.subject.startswith("[Tech Groups] ")
    assert '<html lang="sv">' in email.body_html
    assert email.body_text
    assert email.reply_to == "program-team@example.org"


# Delivering ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delivering_twice_sends_one_email():
    email = enqueue()

    assert outbox_deliver(pk=email.pk).outcome == "sent"
    assert deliver_outbox_email.delay(email.pk).get() == "skipped"

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.sent_at is not None
    assert email.attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sent_message_carries_the_stored_parts_and_a_stable_message_id():
    email = enqueue()
    outbox_deliver(pk=email.pk)

    (message,) = mail.outbox
    assert message.subject == email.subject
    assert message.body == email.body_text
    assert message.alternatives[0].content == email.body_html
    assert message.reply_to == ["program-team@example.org"]
    assert message.extra_headers["Message-ID"].startswith(f"<outbox-{email.pk}-")


@pytest.mark.django_db
def test_a_row_claimed_by_another_worker_is_not_taken():
    email = enqueue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=1
    )

    assert outbox_deliver(pk=email.pk).outcome == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_after_the_lease():
    email = enqueue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    )

    assert outbox_deliver(pk=email.pk).outcome == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("connection lost"),
        ConnectionRefusedError("refused"),
        smtplib.SMTPDataError(451, b"try again later"),
        smtplib.SMTPRecipientsRefused({"leader@example.org": (450, b"mailbox busy")}),
    ],
    ids=["disconnected", "refused", "451", "recipient-450"],
)
def test_a_temporary_error_puts_the_row_back_and_a_later_try_sends_it_once(error):
    email = enqueue()

    with mock.patch.object(OutboxMailer, "send", side_effect=error):
        delivery = outbox_deliver(pk=email.pk)
    email.refresh_from_db()
    assert delivery.outcome == "retry"
    assert delivery.retry_in == timedelta(seconds=30)
    assert email.status == Status.PENDING
    assert type(error).__name__ in email.last_error
    assert email.next_attempt_at is not None

    assert outbox_deliver(pk=email.pk).outcome == "skipped"  # not due yet
    later = email.next_attempt_at + timedelta(seconds=1)
    assert outbox_deliver(pk=email.pk, now=later).outcome == "sent"
    assert outbox_deliver(pk=email.pk, now=later).outcome == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "tries", "wait"), [(30, 2, 60), (30, 9, 3600), (5, 3, 20)])
def test_the_wait_after_a_temporary_error_doubles_from_the_setting(settings, first, tries, wait):
    settings.TECHGROUPS_OUTBOX_RETRY_SECONDS = first
    email = enqueue()
    OutboxEmail.objects.filter(pk=email.pk).update(attempts=tries - 1)

    with mock.patch.object(OutboxMailer, "send", side_effect=TimeoutError):
        delivery = outbox_deliver(pk=email.pk)

    assert delivery.retry_in == timedelta(seconds=wait)  # doubling, at most an hour


@pytest.mark.django_db
def test_the_task_asks_celery_to_retry_a_temporary_error():
    email = enqueue()

    with (
        mock.patch.object(OutboxMailer, "send", side_effect=smtplib.SMTPServerDisconnected),
        pytest.raises(Retry),
    ):
        deliver_outbox_email.delay(email.pk)

    email.refresh_from_db()
    assert email.status == Status.PENDING
    assert email.attempts == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"leader@example.org": (550, b"no such user")}),
        smtplib.SMTPDataError(554, b"rejected"),
    ],
    ids=["recipient-550", "554"],
)
def test_a_permanent_error_marks_the_row_failed(error):
    email = enqueue()

    with mock.patch.object(OutboxMailer, "send", side_effect=error):
        assert outbox_deliver(pk=email.pk).outcome == "failed"

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert type(error).__name__ in email.last_error
    assert outbox_sweep() == {}


@pytest.mark.django_db
def test_temporary_errors_give_up_after_the_last_attempt():
    email = enqueue()
    OutboxEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)

    with mock.patch.object(OutboxMailer, "send", side_effect=smtplib.SMTPServerDisconnected):
        assert outbox_deliver(pk=email.pk).outcome == "failed"

    email.refresh_from_db()
    assert email.status == Status.FAILED


# The sweep -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_sends_pending_rows_and_skips_sent_failed_and_not_yet_due_ones():
    due, sent, failed, later = pending_rows(4)
    outbox_deliver(pk=sent.pk)
    OutboxEmail.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    OutboxEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    mail.outbox.clear()

    assert sweep_outbox.delay().get() == {"sent": 1}

    assert recipients() == [due.to_email]
    assert outbox_sweep() == {}


@pytest.mark.django_db
def test_a_sweep_batch_goes_oldest_first():
    rows = pending_rows(3)

    assert outbox_sweep(batch=2, max_batches=1) == {"sent": 2}
    assert recipients() == sorted(row.to_email for row in rows[:2])
    assert outbox_sweep(batch=2, max_batches=1) == {"sent": 1}


@pytest.mark.django_db
def test_the_sweep_takes_batch_after_batch_while_rows_are_due():
    pending_rows(5)

    assert outbox_sweep(batch=2) == {"sent": 5}
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_a_sweep_killed_mid_batch_loses_nothing_and_sends_nothing_twice():
    rows = pending_rows(3)
    real_send = OutboxMailer.send
    calls = 0

    def send_then_die(mailer, message):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SystemExit("worker killed")  # while the 2nd is with the mail server
        return real_send(mailer, message)

    with (
        mock.patch.object(OutboxMailer, "send", autospec=True, side_effect=send_then_die),
        pytest.raises(SystemExit),
    ):
        outbox_sweep()

    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.filter(status=Status.SENT).count() == 1
    assert outbox_sweep() == {}  # the rest is claimed until the leases run out
    # The 3rd was never handed to the server: free after the short claim lease.
    after_the_claim = timezone.now() + CLAIM_LEASE + timedelta(seconds=1)
    assert outbox_sweep(now=after_the_claim) == {"sent": 1}
    assert recipients() == sorted([rows[0].to_email, rows[2].to_email])
    # The 2nd may have reached the server: sent again only after the long lease.
    after_the_hand = timezone.now() + HANDED_LEASE + timedelta(seconds=1)
    assert outbox_sweep(now=after_the_hand) == {"sent": 1}
    assert recipients() == sorted(row.to_email for row in rows)


@pytest.mark.django_db
def test_the_sweep_gives_up_a_row_whose_every_try_died_mid_send():
    (row,) = pending_rows(1)
    long_ago = timezone.now() - HANDED_LEASE - timedelta(minutes=1)
    OutboxEmail.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=long_ago, handed_at=long_ago, attempts=MAX_ATTEMPTS
    )

    assert outbox_sweep() == {"failed": 1}
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "Given up" in row.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sweep_runs_every_minute_from_a_migration_that_can_run_twice():
    migration = importlib.import_module(SWEEP_MIGRATION)
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)

    (task,) = PeriodicTask.objects.filter(task="notifications.tasks.sweep_outbox")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")


@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_rows_locked_by_another_sweep_without_waiting():
    locked, free = pending_rows(2)
    holding = threading.Event()
    release = threading.Event()

    def other_sweep_holds_a_row():
        try:
            with transaction.atomic():
                OutboxEmail.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_sweep_holds_a_row)
    other.start()
    try:
        assert holding.wait(10)
        assert outbox_sweep() == {"sent": 1}
    finally:
        release.set()
        other.join()
    assert recipients() == [free.to_email]
    assert outbox_sweep() == {"sent": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_row_once():
    rows = pending_rows(40)
    start = threading.Barrier(4)
    results: list[dict[str, int]] = []

    def sweep():
        try:
            start.wait(10)
            results.append(outbox_sweep(batch=7))
            results.append(outbox_sweep(batch=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = sum(result.get("sent", 0) for result in results)
    print(f"concurrent sweeps: {len(rows)} rows, {sent} sent, {len(mail.outbox)} e-mails")
    assert sent == len(rows) == len(mail.outbox)
    assert recipients() == sorted(row.to_email for row in rows)
    assert OutboxEmail.objects.filter(status=Status.SENT).count() == len(rows)


# The broker is down --------------------------------------------------------------------------


BROKER_DOWN = mock.patch.object(
    deliver_outbox_email, "delay", side_effect=OperationalError("Error 111 connecting")
)


@pytest.mark.django_db
def test_an_invitation_while_the_broker_is_down_is_sent_by_the_sweep(
    django_capture_on_commit_callbacks, caplog
):
    leadership = LeadershipFactory(role=Leadership.Role.LEADER)

    with BROKER_DOWN, django_capture_on_commit_callbacks(execute=True):
        invitation_create(group=leadership.group, email="co@example.org", by=leadership.user)

    assert mail.outbox == []
    assert OutboxEmail.objects.get().status == Status.PENDING
    assert "broker unreachable" in caplog.text
    assert outbox_sweep() == {"sent": 1}
    assert recipients() == ["co@example.org"]


@pytest.mark.django_db
def test_a_decision_in_the_admin_while_the_broker_is_down_succeeds_and_is_sent_later(
    client, program_team, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    staff.groups.add(program_team)
    client.force_login(staff)
    group = GroupFactory(status=Group.Status.SUBMITTED)
    for role in Leadership.Role.values:
        LeadershipFactory(group=group, role=role)

    with BROKER_DOWN, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:groups_group_decide", args=[group.pk]),
            {"decision": "request_changes", "message": "Add meetings.", "version": group.version},
        )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.CHANGES_REQUESTED
    assert mail.outbox == []
    assert set(group.outbox_emails.values_list("status", flat=True)) == {Status.PENDING}
    assert outbox_sweep() == {"sent": 2}
    assert recipients() == sorted(group.leaderships.values_list("user__email", flat=True))
    assert all("Add meetings." in message.body for message in mail.outbox)


@pytest.mark.django_db
def test_other_errors_of_the_nudge_are_logged_and_the_change_stands(
    django_capture_on_commit_callbacks, caplog
):
    with (
        mock.patch.object(deliver_outbox_email, "delay", side_effect=RuntimeError("bug")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = enqueue()
    assert "bug" in caplog.text
    assert OutboxEmail.objects.get(pk=email.pk).status == Status.PENDING


@pytest.mark.django_db
def test_after_a_broker_error_the_process_stops_nudging_for_a_while(
    django_capture_on_commit_callbacks, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr("notifications.outbox.time.monotonic", lambda: clock[0])
    with BROKER_DOWN as delay, django_capture_on_commit_callbacks(execute=True):
        for number in range(20):
            enqueue(key=f"paused-{number}")
    assert delay.call_count == 1  # one slow failed connection, not twenty

    clock[0] += 31
    with mock.patch.object(deliver_outbox_email, "delay") as delay:
        outbox_nudge(OutboxEmail.objects.first().pk)
    assert delay.call_count == 1
    assert outbox_sweep() == {"sent": 20}


# The admin -----------------------------------------------------------------------------------


@pytest.fixture
def outbox_staff(client):
    """A staff member who may see and resend e-mail (the program team's permissions)."""
    user = StaffFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="notifications",
            codename__in=["view_outboxemail", "change_outboxemail"],
        )
    )
    client.force_login(user)
    return user


def failed_rows(count: int) -> list[OutboxEmail]:
    rows = pending_rows(count)
    OutboxEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused"
    )
    return rows


@pytest.mark.django_db
def test_a_leader_cannot_see_the_outbox(client):
    client.force_login(LeadershipFactory().user)
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_the_outbox_list_runs_the_same_queries_whatever_its_length(
    client, outbox_staff, django_assert_num_queries, count
):
    rows = pending_rows(count)
    outbox_deliver(pk=rows[0].pk)

    with django_assert_num_queries(12):
        response = client.get(LIST_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("person") >= count
    assert "Sent" in content and "Pending" in content
    assert "resend_selected" in content


@pytest.mark.django_db
def test_an_outbox_row_is_read_only_in_the_admin(client, outbox_staff):
    (row,) = pending_rows(1)
    url = reverse("admin:notifications_outboxemail_change", args=[row.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert row.subject in response.content.decode()
    assert client.post(url, {"to_email": "attacker@example.org"}).status_code == 403
    row.refresh_from_db()
    assert row.to_email == "person0@example.org"


@pytest.mark.django_db
def test_resending_a_failed_email_sends_it_once(
    client, outbox_staff, django_capture_on_commit_callbacks
):
    failed, sent = failed_rows(2)
    OutboxEmail.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST_URL,
            {"action": "resend_selected", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 e-mails queued again; 1 skipped" in response.content.decode()
    assert recipients() == [failed.to_email]
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert outbox_sweep() == {}


@pytest.mark.django_db
def test_staff_without_the_change_permission_cannot_resend(client):
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_outboxemail"))
    client.force_login(user)
    (failed,) = failed_rows(1)

    response = client.get(LIST_URL)
    assert "resend_selected" not in response.content.decode()
    client.post(LIST_URL, {"action": "resend_selected", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


@pytest.mark.django_db
def test_only_staff_may_resend():
    failed_rows(1)
    with pytest.raises(ValidationError, match="Only the program team"):
        outbox_resend(emails=OutboxEmail.objects.all(), by=UserFactory())


@pytest.mark.django_db
def test_a_withdrawn_invitation_not_yet_sent_is_cancelled_in_the_outbox():
    leadership = LeadershipFactory(role=Leadership.Role.LEADER)
    with mock.patch("notifications.outbox.outbox_nudge"):
        invitation = invitation_create(
            group=leadership.group, email="co@example.org", by=leadership.user
        )
    invitation_withdraw(invitation=invitation, by=leadership.user)

    assert OutboxEmail.objects.get().status == Status.CANCELLED
    assert outbox_sweep() == {}
    assert mail.outbox == []


# A backlog: urgent first, one connection per batch, nothing tried while the server is down --


def _bulk_then_urgent() -> tuple[list[OutboxEmail], list[OutboxEmail]]:
    bulk = pending_rows(3)
    OutboxEmail.objects.filter(pk__in=[row.pk for row in bulk]).update(priority=9)
    urgent = pending_rows(2, first=3)
    OutboxEmail.objects.filter(pk__in=[row.pk for row in urgent]).update(priority=0)
    return bulk, urgent


@pytest.mark.django_db
def test_a_backlog_sends_urgent_e_mails_before_older_bulk_ones():
    _bulk, urgent = _bulk_then_urgent()

    assert outbox_sweep(batch=2, max_batches=1) == {"sent": 2}

    assert recipients() == sorted(row.to_email for row in urgent)
    assert outbox_sweep() == {"sent": 3}


@pytest.mark.django_db
@pytest.mark.parametrize(("batch", "connections"), [(5, 1), (2, 3)])
def test_each_batch_goes_over_one_connection(batch, connections):
    from django.core.mail.backends.locmem import EmailBackend

    pending_rows(5)

    with mock.patch.object(EmailBackend, "open", autospec=True) as opened:
        assert outbox_sweep(batch=batch) == {"sent": 5}

    assert opened.call_count == connections
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_a_server_that_cannot_be_reached_costs_one_try_and_the_rest_wait_untried():
    rows = pending_rows(4)

    with mock.patch.object(OutboxMailer, "send", side_effect=ConnectionRefusedError):
        assert outbox_sweep() == {"retry": 1, "released": 3}

    first, *others = OutboxEmail.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert (first.status, first.attempts) == (Status.PENDING, 1)
    assert first.next_attempt_at is not None
    assert [(row.status, row.attempts, row.claimed_at) for row in others] == [
        (Status.PENDING, 0, None)
    ] * 3
    assert outbox_sweep() == {"sent": 3}  # the server is back; the first waits its backoff


@pytest.mark.django_db
def test_a_refused_message_does_not_stop_the_others():
    rows = pending_rows(3)
    real_send = OutboxMailer.send

    def refuse_the_first(mailer, message):
        if message.to == [rows[0].to_email]:
            raise smtplib.SMTPRecipientsRefused({rows[0].to_email: (550, b"no such user")})
        return real_send(mailer, message)

    with mock.patch.object(OutboxMailer, "send", autospec=True, side_effect=refuse_the_first):
        assert outbox_sweep() == {"failed": 1, "sent": 2}


@pytest.mark.django_db
def test_a_row_claimed_but_never_handed_over_is_free_after_the_short_lease():
    (row,) = pending_rows(1)
    claimed = timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    OutboxEmail.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=claimed)

    assert outbox_sweep() == {"sent": 1}
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.mark.django_db
def test_a_row_handed_to_the_server_waits_for_the_long_lease():
    (row,) = pending_rows(1)
    handed = timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    OutboxEmail.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=handed, handed_at=handed, attempts=1
    )

    assert outbox_sweep() == {}
    assert outbox_sweep(now=handed + HANDED_LEASE + timedelta(seconds=1)) == {"sent": 1}


@pytest.mark.django_db
def test_a_claim_taken_over_by_another_sweep_is_not_handed_over_twice():
    (row,) = pending_rows(1)
    stale = timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    OutboxEmail.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=stale)
    assert outbox_sweep() == {"sent": 1}  # another sweep took it over and sent it

    from notifications.outbox import _deliver_claimed

    with OutboxMailer() as mailer:  # the slow first claimer comes back to it
        assert _deliver_claimed(row.pk, claimed_at=stale, mailer=mailer, now=None).outcome == (
            "skipped"
        )
    assert len(mail.outbox) == 1


# The subject line ------------------------------------------------------------------------------


def _decoded_subject(message) -> str:
    import email as email_package
    from email import policy

    raw = message.message().as_bytes()
    for line in raw.split(b"\n\n")[0].split(b"\n"):
        line = line.rstrip(b"\r")
        assert len(line) <= 78 or b" " not in line.strip(), line  # only one long word goes past
    return str(email_package.message_from_bytes(raw, policy=policy.default)["Subject"])


@pytest.mark.parametrize(
    "subject",
    [
        "[Tech Groups] Azure User Group Göteborg: dags att planera fler Azure-träffar",
        "[Tech Groups] " + "å" * 10 + " " + "b" * 70 + " ä c",
        "[Tech Groups] Ärende: " + "ö " * 60,
        "[Tech Groups] Plain ASCII that is long enough to be folded by the mail package " * 2,
        "[Tech Groups] Emoji 😀 and tabs\tand  two spaces",
        "[Tech Groups] Inbjudan: Leaders call Q4 2026 den 18 december 2026 kl. 16:00 " * 2,
        "[Tech Groups] ASCII that looks like =?utf-8?q?an_encoded_word?= stays as it is",
        "[Tech Groups] " + "x" * 120,
    ],
)
def test_a_long_subject_decodes_to_exactly_its_text(subject):
    from notifications.outbox import OutboxMessage

    message = OutboxMessage(subject=subject, body="x", to=["a@example.org"])

    assert _decoded_subject(message) == subject


@pytest.mark.django_db
def test_every_swedish_subject_the_portal_ships_decodes_to_its_text():
    from notifications.mail import email_kinds, render_email

    for name, kind in email_kinds().items():
        rendered = render_email(name, language="sv", inputs=kind.sample())
        email = OutboxEmail(pk=1, subject=rendered.subject, to_email="a@example.org")
        email.created_at = timezone.now()
        from notifications.outbox import outbox_message

        assert _decoded_subject(outbox_message(email)) == rendered.subject, name


@pytest.mark.django_db
def test_a_sweep_past_its_time_hands_nothing_more_over_and_gives_the_rest_back():
    pending_rows(4)
    clock = iter([0.0, 0.0, 0.0, 200.0])  # the start, then before each row

    with mock.patch("notifications.outbox.time.monotonic", side_effect=lambda: next(clock)):
        assert outbox_sweep(seconds=150) == {"sent": 2, "released": 2}

    assert OutboxEmail.objects.filter(status=Status.PENDING, attempts=0).count() == 2
    assert outbox_sweep() == {"sent": 2}
