"""Read the local outbox of the embedded default: the e-mails the portal wrote to files."""

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

#: Django's file backend ends every message with a line of 79 dashes.
SEPARATOR = "-" * 79


def outbox_dir() -> Path:
    mailer: dict[str, Any] = settings.MAILERS.get("default", {})
    options: dict[str, Any] = mailer.get("OPTIONS", {})
    if "file_path" not in options:
        raise CommandError("E-mail is not written to files here (see MAILERS / EMAIL_URL).")
    return Path(options["file_path"])


def read_outbox(folder: Path) -> list[EmailMessage]:
    """Every message in the folder, oldest first."""
    messages = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(SEPARATOR.encode()):
            if chunk.strip():
                parsed = email.message_from_bytes(chunk.lstrip(), policy=policy.default)
                messages.append(parsed)
    return messages


class Command(BaseCommand):
    help = "Print the e-mails in the local outbox (var/outbox/), decoded, newest last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--last", type=int, default=10, help="How many (default 10).")
        parser.add_argument("--to", default="", help="Only e-mails to this address.")
        parser.add_argument("--html", action="store_true", help="Print the HTML part too.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = outbox_dir()
        messages = read_outbox(folder) if folder.exists() else []
        if options["to"]:
            messages = [m for m in messages if options["to"].lower() in str(m["To"]).lower()]
        shown = messages[-options["last"] :] if options["last"] > 0 else messages
        self.stdout.write(f"{len(messages)} e-mails in {folder}; showing {len(shown)}.\n")
        for message in shown:
            self.stdout.write(SEPARATOR)
            for header in ("Date", "From", "To", "Reply-To", "Subject"):
                if message[header]:
                    self.stdout.write(f"{header}: {message[header]}")
            self.stdout.write("")
            text = message.get_body(preferencelist=("plain",))
            self.stdout.write(text.get_content() if text else "(no text part)")
            if options["html"]:
                html = message.get_body(preferencelist=("html",))
                self.stdout.write(html.get_content() if html else "(no HTML part)")
