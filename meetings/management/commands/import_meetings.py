"""The program team imports a group's calendar feed now: `import_meetings GROUP_SLUG [URL]`,
or `import_meetings --all` for every group with a feed address.

The import is the one the leaders' "Import now" and the daily job start (an import row, asked
for by nobody, run by `feed_import_run`), only run here instead of in the worker; what it did
is printed as the import page shows it. The exit status is 1 when a group is unknown, has no
feed address, or an import failed.
"""

from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from groups.models import Group
from meetings.imports import feed_import_now
from meetings.models import FeedImport
from meetings.selectors import group_time_zone

#: The lists of a result, as the import page titles them.
LISTS = [
    ("missing", "No longer in the calendar (check them)"),
    ("added", "Added"),
    ("updated", "Updated"),
    ("cancelled", "Cancelled in the calendar"),
    ("skipped", "Skipped"),
]


class Command(BaseCommand):
    help = (
        "Import the meetings of a group's iCal feed now, as the leaders' page does, and print "
        "the result. URL replaces the group's feed address for this import only; --all "
        "imports every group with a feed address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", default="", help="The group's slug.")
        parser.add_argument(
            "url", nargs="?", default="", help="A feed address (default: the group's own)."
        )
        parser.add_argument(
            "--all", action="store_true", help="Import every group with a feed address."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            if options["slug"] or options["url"]:
                raise CommandError("Give a group's slug, or --all, not both.")
            self._import_all()
            return
        if not options["slug"]:
            raise CommandError("Give a group's slug, or --all.")
        group = Group.objects.filter(slug=options["slug"]).first()
        if group is None:
            raise CommandError(f"No group has the slug {options['slug']!r}.")
        feed_import = self._import(group, url=options["url"])
        if feed_import.status != FeedImport.Status.DONE:
            raise CommandError(f"The import of {group.slug} failed: {feed_import.error}")

    def _import_all(self) -> None:
        groups = list(Group.objects.exclude(ical_feed_url="").order_by("slug"))
        failed = []
        for group in groups:
            try:
                feed_import = self._import(group, url="")
            except CommandError as error:  # an import under way: it finishes by itself
                self.stderr.write(str(error))
                continue
            if feed_import.status != FeedImport.Status.DONE:
                failed.append(group.slug)
        self.stdout.write(f"\n{len(groups)} groups with a feed address, {len(failed)} failed.")
        if failed:
            raise CommandError(f"The imports of {', '.join(failed)} failed.")

    def _import(self, group: Group, *, url: str) -> FeedImport:
        try:
            feed_import = feed_import_now(group=group, language=settings.LANGUAGE_CODE, url=url)
        except ValidationError as error:
            raise CommandError(f"{group.slug}: {' '.join(error.messages)}") from error
        self._print(group, feed_import)
        return feed_import

    def _print(self, group: Group, feed_import: FeedImport) -> None:
        write = self.stdout.write
        write(f"{group.name} ({group.slug}): {feed_import.url}")
        if feed_import.status != FeedImport.Status.DONE:
            write(self.style.ERROR(f"  Failed: {feed_import.error}"))
            return
        details = feed_import.details or {}
        counts = (
            f"  {feed_import.added_count} added, {feed_import.updated_count} updated, "
            f"{feed_import.cancelled_count} cancelled, {feed_import.unchanged_count} unchanged, "
            f"{feed_import.skipped_count} skipped, {feed_import.missing_count} no longer in the "
            "calendar"
        )
        outside = details.get("outside_window", 0)
        write(
            self.style.SUCCESS(counts)
            + (f"; {outside} outside the window, not read" if outside else "")
        )
        time_zone = group_time_zone(group)
        for kind, title in LISTS:
            entries = details.get(kind, [])
            count = getattr(feed_import, f"{kind}_count")
            if not entries:
                continue
            write(f"  {title}:")
            for entry in entries:
                write(f"    {_line(entry, time_zone)}")
            if count > len(entries):
                write(f"    and {count - len(entries)} more")


def _line(entry: dict[str, Any], time_zone: tzinfo) -> str:
    """One meeting or skipped event of a result, its time in the group's zone."""
    starts_at: datetime | None = parse_datetime(entry.get("starts_at") or "")
    if starts_at is None:
        when = ""
    elif "reason" in entry:  # a skipped event: its day, as on the import page
        when = f"{starts_at.astimezone(time_zone):%Y-%m-%d}  "
    elif entry.get("all_day"):
        when = f"{starts_at.astimezone(time_zone):%Y-%m-%d} (all day)  "
    else:
        when = f"{starts_at.astimezone(time_zone):%Y-%m-%d %H:%M}  "
    line = f"{when}{entry.get('title') or '(no title)'}"
    if entry.get("uncancelled"):
        line += " (no longer cancelled)"
    if "reason" in entry:
        uid = f" (UID {entry['uid']})" if entry.get("uid") else ""
        line += f"{uid}: {entry['reason']}"
    return line
