"""Fill an empty database with a realistic, deterministic demo of the program.

The demo is made by demo/builders: everything is generated from one `random.Random(seed)`, so
the same seed gives the same groups, people and meetings (dates are relative to the day it
runs). The first groups (every demo account's) are written through the portal's services; the
others in batches, so 10,000 groups take well under a minute.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demo.builders.context import DEMO_PASSWORD, demo_context
from demo.builders.demo import Summary, build_demo
from demo.builders.groups import MIN_GROUPS
from demo.builders.people import DEMO_DOMAIN, FIXED_EMAILS
from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, LeadershipChangeRequest, User
from meetings.models import Meeting
from membership.models import LeaveRequest, Review
from program.models import ContentItem, NewsItem, QuarterlyCall

Status = Group.Status


class Command(BaseCommand):
    help = (
        "Fill the database with a realistic, deterministic demo of the program: staff and "
        "superuser accounts, leaders, groups in every status, a year of meetings, quarterly "
        "calls, content and news. It runs only on a database without groups: with --if-empty it "
        "then does nothing, otherwise it stops with an error (so it never mixes two demos). "
        f"Every demo account signs in with the password “{DEMO_PASSWORD}”."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--groups", type=int, default=40, help=f"number of groups (at least {MIN_GROUPS})"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--meetings-per-group",
            type=int,
            default=12,
            help="meetings a year of a regular admitted group (default 12)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing, successfully, when the database already has groups",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        groups, per_group = options["groups"], options["meetings_per_group"]
        if groups < MIN_GROUPS:
            raise CommandError(f"--groups must be at least {MIN_GROUPS}, one per demo story.")
        if per_group < 0:
            raise CommandError("--meetings-per-group cannot be negative.")
        started = time.perf_counter()
        with transaction.atomic():
            if Group.objects.exists():
                if options["if_empty"]:
                    self.stdout.write("The database already has groups; seed_demo did nothing.")
                    return
                raise CommandError(
                    "The database already has groups. seed_demo fills an empty database only; "
                    "use --if-empty to skip quietly, or start from a fresh database."
                )
            demo_users = Q(email__in=FIXED_EMAILS) | Q(email__iendswith=f"@{DEMO_DOMAIN}")
            if User.objects.filter(demo_users).exists():
                raise CommandError(
                    "Demo accounts already exist (e.g. staff@example.org) although there are no "
                    "groups. Delete them or start from a fresh database."
                )
            summary = build_demo(
                ctx=demo_context(seed=options["seed"]), groups=groups, meetings_per_group=per_group
            )
        self._report(summary, seconds=time.perf_counter() - started)

    def _report(self, summary: Summary, *, seconds: float) -> None:
        write = self.stdout.write
        now = timezone.now()
        rows = Group.objects.order_by().values("status").annotate(n=Count("pk"))
        by_status = {row["status"]: row["n"] for row in rows}
        write(self.style.SUCCESS(f"Demo data created in {seconds:.1f} s."))
        write(f"Groups: {sum(by_status.values())}")
        for status in Status:
            write(f"  {status.label}: {by_status.get(status, 0)}")
        leaderships = Leadership.objects.aggregate(
            active=Count("pk", filter=Q(ended_at__isnull=True)),
            ended=Count("pk", filter=Q(ended_at__isnull=False)),
        )
        write(
            f"People: {User.objects.count()} accounts; leaderships "
            f"{leaderships['active']} active, {leaderships['ended']} ended"
        )
        meetings = Meeting.objects.aggregate(
            total=Count("pk"), upcoming=Count("pk", filter=Q(starts_at__gt=now))
        )
        write(f"Meetings: {meetings['total']} ({meetings['upcoming']} upcoming)")
        calls = QuarterlyCall.objects.aggregate(
            past=Count("pk", filter=Q(starts_at__lt=now)),
            upcoming=Count("pk", filter=Q(starts_at__gte=now)),
        )
        write(f"Quarterly calls: {calls['past']} past, {calls['upcoming']} upcoming")
        write(
            f"Content items: {ContentItem.objects.count()} "
            f"({ContentItem.objects.published().count()} published); "
            f"news items: {NewsItem.objects.count()} "
            f"({NewsItem.objects.published().count()} published)"
        )
        write(
            f"Reviews: {Review.objects.count()}; open leave requests: "
            f"{LeaveRequest.objects.filter(status=LeaveRequest.Status.OPEN).count()}; open "
            "leadership change requests: "
            f"{LeadershipChangeRequest.objects.filter(status='open').count()}; pending "
            "invitations: "
            f"{CoLeaderInvitation.objects.filter(status='pending').count()}"
        )
        write("")
        write(self.style.SUCCESS(f"Sign in with password “{DEMO_PASSWORD}”:"))
        for role, email in summary.featured.items():
            write(f"  {email:<24} {role}")
        write(f"  Every other leader (…@{DEMO_DOMAIN}) has the same password, e.g.:")
        for line in summary.sample_leaders:
            write(f"    {line}")
