"""A person's own data: a copy of what the portal holds about them, and deleting the account.

A user downloads their profile, roles, acceptances, requests, conversations with the program
team and the e-mails the portal sent them; or deletes their account (docs/program.md,
"Deleting an account"). Deleting never removes the user row (the group's history points at
it): the person's name and e-mail are anonymised in it, every role they held ends and stays
empty until someone is named (Requirement 1 fails, and the checklist shows it), and the
group's other contact and the program team are told.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contact.models import Message, Thread
from core.audit import audit_record
from core.models import AuditEntry
from groups.emails import program_team_enqueue, program_team_language
from groups.models import Group
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    RulesAcceptance,
    User,
)
from leaders.services import _invitation_email_key, leadership_end
from meetings.models import FeedImport
from membership.models import LeaveRequest
from notifications.outbox import (
    outbox_cancel,
    outbox_enqueue,
    outbox_forget_person,
    outbox_to_person,
)

#: What a deleted account is called wherever the history shows it.
DELETED_NAME = "Deleted user"


def anonymous_email(user: User) -> str:
    """A unique address that can never receive mail (the .invalid top-level domain, RFC 2606)."""
    return f"deleted-{user.pk}@deleted.invalid"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# The download -----------------------------------------------------------------------------


def personal_data(user: User) -> dict[str, Any]:
    """Everything the portal holds about `user`, as plain JSON values, in a fixed 13 queries.

    Other people's data stays out: invitations say when and for which group, not who else
    was invited or who invited; e-mails are those addressed to this person.
    """
    leaderships = Leadership.objects.filter(user=user).select_related("group")
    acceptances = RulesAcceptance.objects.filter(user=user).select_related("rules")
    sent = CoLeaderInvitation.objects.filter(invited_by=user).select_related("group")
    received = CoLeaderInvitation.objects.filter(email__iexact=user.email).select_related("group")
    leave_requests = LeaveRequest.objects.filter(requested_by=user).select_related("group")
    change_requests = LeadershipChangeRequest.objects.filter(requested_by=user).select_related(
        "group"
    )
    actions = AuditEntry.objects.filter(actor=user).select_related("group")
    imports = FeedImport.objects.filter(requested_by=user).select_related("group")
    # Conversations with the program team: the person's own threads with every message (the
    # team's answers were written to them), and what they wrote in their groups' other threads.
    threads = list(
        Thread.objects.filter(author=user).select_related("group").order_by("created_at", "pk")
    )
    messages: dict[int, list[Message]] = {}
    for message in (
        Message.objects.filter(Q(thread__author=user) | Q(author=user))
        .select_related("thread__group")
        .order_by("created_at", "pk")
    ):
        messages.setdefault(message.thread_id, []).append(message)
    return {
        "exported_at": _when(timezone.now()),
        "profile": {
            "email": user.email,
            "name": user.name,
            "preferred_language": user.preferred_language,
            "tech_community_id": user.tech_community_id,
            "optional_email": user.optional_email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor_methods": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
        },
        "roles": [
            {
                "group": leadership.group.name,
                "role": leadership.role,
                "started_at": _when(leadership.started_at),
                "ended_at": _when(leadership.ended_at),
                "end_reason": leadership.end_reason,
            }
            for leadership in leaderships.order_by("started_at", "pk")
        ],
        "rules_acceptances": [
            {
                "version": acceptance.rules.version,
                "title": acceptance.rules.title,
                "accepted_at": _when(acceptance.accepted_at),
            }
            for acceptance in acceptances.order_by("accepted_at", "pk")
        ],
        "invitations_sent": [
            {
                "group": invitation.group.name,
                "created_at": _when(invitation.created_at),
                "status": invitation.status,
                "responded_at": _when(invitation.responded_at),
            }
            for invitation in sent.order_by("created_at", "pk")
        ],
        "invitations_received": [
            {
                "group": invitation.group.name,
                "email": invitation.email,
                "created_at": _when(invitation.created_at),
                "status": invitation.status,
                "responded_at": _when(invitation.responded_at),
            }
            for invitation in received.order_by("created_at", "pk")
        ],
        "leave_requests": [
            {
                "group": request.group.name,
                "reason": request.reason,
                "created_at": _when(request.created_at),
                "status": request.status,
                "processed_at": _when(request.processed_at),
            }
            for request in leave_requests.order_by("created_at", "pk")
        ],
        "leadership_change_requests": [
            {
                "group": request.group.name,
                "kind": request.kind,
                "details": request.details,
                "created_at": _when(request.created_at),
                "status": request.status,
                "processed_at": _when(request.processed_at),
                "note_from_the_program_team": request.staff_note,
            }
            for request in change_requests.order_by("created_at", "pk")
        ],
        "emails": [
            {
                "kind": email.kind,
                "to": email.to_email,
                "subject": email.subject,
                "status": email.status,
                "created_at": _when(email.created_at),
                "sent_at": _when(email.sent_at),
                "body": email.body_text,
            }
            for email in outbox_to_person(user=user, email=user.email).order_by("created_at", "pk")
        ],
        "conversations_with_the_program_team": [
            {
                "group": thread.group.name if thread.group else None,
                "kind": thread.kind,
                "subject": thread.subject,
                "status": thread.status,
                "created_at": _when(thread.created_at),
                "messages": [
                    {
                        "from": "program_team" if message.from_program_team else "you",
                        "body": message.body,
                        "created_at": _when(message.created_at),
                    }
                    for message in messages.get(thread.pk, [])
                ],
            }
            for thread in threads
        ],
        "messages_in_other_conversations": [
            {
                "group": message.thread.group.name if message.thread.group else None,
                "subject": message.thread.subject,
                "body": message.body,
                "created_at": _when(message.created_at),
            }
            for thread_messages in messages.values()
            for message in thread_messages
            if message.thread.author_id != user.pk
        ],
        "feed_imports": [
            {
                "group": feed_import.group.name,
                "url": feed_import.url,
                "created_at": _when(feed_import.created_at),
                "status": feed_import.status,
                "finished_at": _when(feed_import.finished_at),
            }
            for feed_import in imports.order_by("created_at", "pk")
        ],
        # Meetings record no author; what the person did is in the audit trail (when, where
        # and what kind: the summaries name other people, e.g. whom they invited).
        "actions": [
            {
                "created_at": _when(entry.created_at),
                "group": entry.group.name if entry.group else None,
                "action": entry.action,
            }
            for entry in actions.order_by("created_at", "pk")
        ],
    }


# What deleting would do -----------------------------------------------------------------


@dataclass(frozen=True)
class RoleEnd:
    """One role the account holds, and what deleting the account does to its group."""

    group: Group
    role: str
    role_label: str
    #: The names of the group's other active contacts: they are told.
    others: list[str]

    @property
    def is_last_contact(self) -> bool:
        """The group keeps no contact at all (docs/program.md, Requirement 1: it fails)."""
        return not self.others

    @property
    def needs_confirmation(self) -> bool:
        """An admitted group left with no contact: the person must confirm it explicitly."""
        return self.is_last_contact and self.group.status == Group.Status.ADMITTED


def account_delete_consequences(user: User) -> list[RoleEnd]:
    """The roles deleting `user` ends, with each group's remaining contacts (2 queries)."""
    mine = list(
        Leadership.objects.active().filter(user=user).select_related("group").order_by("group")
    )
    others: dict[int, list[str]] = {}
    for leadership in (
        Leadership.objects.active()
        .filter(group__in=[held.group_id for held in mine])
        .exclude(user=user)
        .select_related("user")
        .order_by("role")
    ):
        others.setdefault(leadership.group_id, []).append(leadership.user.display_name)
    return [
        RoleEnd(
            group=held.group,
            role=held.role,
            role_label=held.get_role_display(),
            others=others.get(held.group_id, []),
        )
        for held in mine
    ]


def last_contact_groups(user: User) -> QuerySet[Group]:
    """Admitted groups in which `user` is the only active contact."""
    mine = Leadership.objects.active().filter(user=user).values("group_id")
    others = Leadership.objects.active().filter(group=OuterRef("pk")).exclude(user=user)
    return Group.objects.admitted().filter(pk__in=mine).exclude(Exists(others))


# Deleting ---------------------------------------------------------------------------------


def refuse_staff(user: User) -> None:
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _(
                "Program team accounts cannot be deleted here: ask an administrator of the "
                "portal to remove your access."
            )
        )


@transaction.atomic
def account_delete(*, user: User, now: datetime) -> None:
    """Delete a person's account: their roles end, the others are told, and they are
    anonymised everywhere the history keeps them.

    The user row stays (history points at it with PROTECT): its name becomes "Deleted user",
    its e-mail an address that cannot receive mail, the password unusable and the account
    inactive, which also ends every session it has (Django checks the password hash and the
    active flag on each request). Each role ends as "account deleted" and stays empty, so the
    group fails requirement 1 until someone is named; its other contact and the program team
    get an e-mail. Pending co-leader invitations the person sent are withdrawn. E-mails to
    the person keep their subject and kind for the record, with the body blanked.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    refuse_staff(locked)
    if not locked.is_active:
        raise ValidationError(_("This account is already deleted."))
    name, email = locked.name.strip(), locked.email
    group_ids = set(Leadership.objects.active().filter(user=locked).values_list("group", flat=True))
    # The groups first, in one order, as every leadership service does: no deadlocks.
    list(Group.objects.select_for_update().filter(pk__in=group_ids).order_by("pk"))

    _invitations_withdraw(user=locked, email=email, now=now)
    for leadership in Leadership.objects.active().filter(user=locked).order_by("group", "role"):
        ended = leadership_end(
            leadership=leadership, by=locked, reason=Leadership.EndReason.ACCOUNT_DELETED, now=now
        )
        _tell_the_others(
            leadership=ended, person=locked.display_name, hub_id=locked.tech_community_id
        )

    _anonymise_history(user=locked, name=name, email=email)
    outbox_forget_person(user=locked, email=email, replacement_address=anonymous_email(locked))
    EmailAddress.objects.filter(user=locked).delete()
    Authenticator.objects.filter(user=locked).delete()
    locked.name = DELETED_NAME
    locked.email = anonymous_email(locked)
    locked.tech_community_id = None
    locked.optional_email = User.OptionalEmail.OFF
    locked.is_active = False
    locked.set_unusable_password()
    locked.save()


def _invitations_withdraw(*, user: User, email: str, now: datetime) -> None:
    """Pending invitations the person sent are withdrawn; those sent to them can no longer be
    accepted either (the address they were for is gone)."""
    pending = CoLeaderInvitation.objects.select_for_update().filter(
        Q(invited_by=user) | Q(email__iexact=email), status=CoLeaderInvitation.Status.PENDING
    )
    for invitation in pending.select_related("group"):
        invitation.status = CoLeaderInvitation.Status.REVOKED
        invitation.responded_at = now
        invitation.save(update_fields=["status", "responded_at"])
        outbox_cancel(keys=[_invitation_email_key(invitation.pk)], reason="Account deleted.")
        audit_record(
            group=invitation.group,
            actor=user,
            action=AuditEntry.Action.LEADERSHIP_CHANGE,
            summary=_("The co-leader invitation of %(email)s was withdrawn: account deleted")
            % {"email": invitation.email},
            changes={"invitation": {"before": invitation.email, "after": ""}},
            at=now,
        )


def _tell_the_others(*, leadership: Leadership, person: str, hub_id: Any) -> None:
    """E-mail the group's other active contact and the program team that a role is empty.

    The team's notice carries the person's Tech Community user ID: it is erased with the
    account, and the team still has to revoke the Leaders Hub access it gave.
    """
    group = leadership.group
    remaining = Leadership.objects.active().filter(group=group).select_related("user")
    for other in remaining:
        recipient = other.user
        outbox_enqueue(
            key=f"contact_left:leadership-{leadership.pk}:user-{recipient.pk}",
            kind="contact_left",
            to=recipient.email,
            language=recipient.preferred_language,
            template="contact_left",
            inputs={"leadership": leadership, "person": person, "user": recipient},
            group=group,
            user=recipient,
        )
    with program_team_language():
        others = ", ".join(other.user.display_name for other in remaining) or _("nobody")
        program_team_enqueue(
            kind="contact_left",
            key=f"leadership-{leadership.pk}",
            group=group,
            summary=_("A contact deleted their account"),
            details=_(
                "%(person)s, %(role)s, deleted their account; the role is empty until someone "
                "is named. The group's remaining contacts: %(others)s."
            )
            % {"person": person, "role": leadership.get_role_display(), "others": others}
            + (
                " "
                + _("Revoke the Leaders Hub access of Tech Community user ID %(id)s.")
                % {"id": hub_id}
                if hub_id
                else ""
            ),
            admin_path=reverse("admin:groups_group_change", args=[group.pk]),
        )


def _scrubber(*, user: User, name: str, email: str) -> Any:
    """A function that replaces the person's e-mail and name in a text by the anonymous ones."""
    patterns = [(re.compile(re.escape(email), re.IGNORECASE), anonymous_email(user))]
    if name:
        patterns.append((re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), DELETED_NAME))

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, replacement in patterns:
                value = pattern.sub(replacement, value)
            return value
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub(item) for item in value]
        return value

    return scrub


def _anonymise_history(*, user: User, name: str, email: str) -> None:
    """The person's name and e-mail leave the audit trail, the change requests and the
    invitations; the rows stay and keep pointing at the (now anonymous) user."""
    scrub = _scrubber(user=user, name=name, email=email)
    anonymous = anonymous_email(user)
    CoLeaderInvitation.objects.filter(email__iexact=email).update(email=anonymous)

    group_ids = set(Leadership.objects.filter(user=user).values_list("group", flat=True))
    group_ids |= set(
        CoLeaderInvitation.objects.filter(Q(invited_by=user) | Q(email=anonymous)).values_list(
            "group", flat=True
        )
    )
    mentions = Q(summary__icontains=email) | Q(changes_text__icontains=email)
    if name:
        mentions |= Q(summary__contains=name)
    entries = (
        AuditEntry.objects.annotate(changes_text=Cast("changes", TextField()))
        .filter(Q(actor=user) | Q(group__in=group_ids))
        .filter(mentions)
    )
    changed = []
    for entry in entries:
        entry.summary, entry.changes = scrub(entry.summary)[:300], scrub(entry.changes)
        changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["summary", "changes"])

    texts = Q(details__icontains=email) | Q(staff_note__icontains=email)
    if name:
        texts |= Q(details__contains=name) | Q(staff_note__contains=name)
    requests = []
    for request in LeadershipChangeRequest.objects.filter(texts, group__in=group_ids):
        request.details, request.staff_note = scrub(request.details), scrub(request.staff_note)
        requests.append(request)
    LeadershipChangeRequest.objects.bulk_update(requests, ["details", "staff_note"])

    # Conversations with the program team are kept (a code-of-conduct case may need them
    # later): their author becomes "Deleted user" with the account; the person's name and
    # e-mail leave the subjects of their threads and the text of their messages.
    threads = list(Thread.objects.filter(author=user))
    for thread in threads:
        thread.subject = scrub(thread.subject)
    Thread.objects.bulk_update(threads, ["subject"])
    messages = list(Message.objects.filter(author=user))
    for message in messages:
        message.body = scrub(message.body)
    Message.objects.bulk_update(messages, ["body"])
