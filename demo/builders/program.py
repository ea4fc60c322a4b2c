"""The program's own content: its rules of conduct, the quarterly leaders calls (past ones with
recordings, upcoming ones with agendas), the content library and the news.

The program team writes these in the admin; there is no service to call, so they are written
as rows.
"""

from datetime import date, timedelta
from datetime import time as clock

from leaders.models import ProgramRules
from program.models import ContentItem, NewsItem, QuarterlyCall

from .catalogue import AZURE_TALKS, CONTENT, NEWS, RULES_BODY, RULES_TITLE, UNPUBLISHED_NEWS
from .context import DemoContext


def program_rules_publish(*, ctx: DemoContext) -> ProgramRules:
    """Version 1 of the rules of conduct, published three years ago."""
    return ProgramRules.objects.create(
        version=1,
        title=RULES_TITLE,
        body=RULES_BODY,
        published_at=ctx.days_ago(1100),
        created_at=ctx.days_ago(1110),
    )


def program_content_create(*, ctx: DemoContext) -> None:
    """Quarterly calls (past with recordings, upcoming with agendas), content and news."""
    rng, today = ctx.rng, ctx.today
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    calls = []
    for offset in range(-4, 3):
        month_index = quarter_start.month - 1 + 3 * offset
        year, month = quarter_start.year + month_index // 12, month_index % 12 + 1
        day = date(year, month, 1) + timedelta(days=44)
        day += timedelta(days=(2 - day.weekday()) % 7)  # a Wednesday
        starts_at = ctx.at(day, clock(15), "Europe/Stockholm")
        quarter = f"Q{(month - 1) // 3 + 1} {year}"
        key = f"{year}-q{(month - 1) // 3 + 1}"
        past = starts_at < ctx.now
        calls.append(
            QuarterlyCall(
                title=f"Leaders call {quarter}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=75),
                agenda=(
                    "1. Welcome and program news\n"
                    "2. Product update from the Azure team\n"
                    f"3. Spotlight: {rng.choice(AZURE_TALKS)[0]}\n"
                    "4. Group stories: what worked this quarter\n"
                    "5. Your questions"
                ),
                join_url=f"https://meet.example.com/tech-groups/leaders-call-{key}",
                recording_url=(
                    f"https://video.example.com/tech-groups/leaders-call-{key}" if past else ""
                ),
                slides_url=f"https://content.example.org/calls/{key}/slides.pdf" if past else "",
            )
        )
    QuarterlyCall.objects.bulk_create(calls)

    items = []
    for number, (title, kind, key) in enumerate(CONTENT):
        unpublished = number in {len(CONTENT) - 1, 3}
        published_at = None if unpublished else ctx.days_ago(rng.uniform(3, 400))
        items.append(
            ContentItem(
                title=title,
                kind=kind,
                summary=f"{ContentItem.Kind(kind).label} for group meetings: {title}.",
                language="sv" if key.endswith("-sv") else "en",
                url=f"https://content.example.org/library/{key}",
                early_access_until=(
                    ctx.now + timedelta(days=30 * (number % 3 + 1)) if number in {1, 12} else None
                ),
                is_published=not unpublished,
                published_at=published_at,
            )
        )
    ContentItem.objects.bulk_create(items)

    news = [
        NewsItem(title=title, body=body, published_at=ctx.days_ago(10 + 40 * number))
        for number, (title, body) in enumerate(NEWS)
    ]
    news.append(NewsItem(title=UNPUBLISHED_NEWS[0], body=UNPUBLISHED_NEWS[1]))
    NewsItem.objects.bulk_create(news)
