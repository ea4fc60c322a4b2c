"""People: the program team's accounts, the featured sign-in accounts and generated leaders.

Accounts are planned in memory (`demo_account`, `demo_person`) and written in bulk by
`people_save`, with a verified primary e-mail address each, so that 20,000 people take one
password hash and a few INSERTs. (Accounts have no service: allauth's sign-up is the only
other way in.)
"""

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group as AuthGroup

from leaders.models import User

from .catalogue import names_for
from .context import DemoContext, ascii_slug, batched_create

PROGRAM_TEAM = "Program team"
#: Generated leaders live under this domain, so a second run can tell they exist.
DEMO_DOMAIN = "demo.example.org"

STAFF_EMAIL = "staff@example.org"
ADMIN_EMAIL = "admin@example.org"
LEADER_EMAIL = "leader@example.org"
CO_LEADER_EMAIL = "coleader@example.org"
SOLO_EMAIL = "solo@example.org"
NEW_LEADER_EMAIL = "newleader@example.org"
APPLICANT_EMAIL = "applicant@example.org"
INVITED_EMAIL = "invited.coleader@example.org"
FIXED_EMAILS = [
    STAFF_EMAIL,
    ADMIN_EMAIL,
    LEADER_EMAIL,
    CO_LEADER_EMAIL,
    SOLO_EMAIL,
    NEW_LEADER_EMAIL,
    APPLICANT_EMAIL,
]


def demo_account(
    *,
    ctx: DemoContext,
    email: str,
    name: str,
    language: str = "en",
    tech_id: bool = True,
    joined: datetime | None = None,
    **flags: Any,
) -> User:
    """An account with the demo password, planned: `people_save` writes it."""
    tech_community_id = None
    if tech_id:
        tech_community_id = ctx.tech_id
        ctx.tech_id += ctx.rng.randint(1, 40)
    user = User(
        email=email,
        name=name,
        preferred_language=language,
        tech_community_id=tech_community_id,
        password=ctx.password_hash,
        date_joined=joined or ctx.days_ago(1200),
        **flags,
    )
    ctx.unsaved_users.append(user)
    return user


def demo_person(*, ctx: DemoContext, country: str, joined: datetime) -> User:
    """A generated leader with a name that fits the country and a unique demo address."""
    rng = ctx.rng
    first_names, last_names = names_for(country)
    first, last = rng.choice(first_names), rng.choice(last_names)
    ctx.person_counter += 1
    local = f"{ascii_slug(first)}.{ascii_slug(last).replace('-', '')}"
    email = f"{local}.{ctx.person_counter}@{DEMO_DOMAIN}"
    swedish = country == "SE" or (country == "FI" and rng.random() < 0.2)
    return demo_account(
        ctx=ctx,
        email=email,
        name=f"{first} {last}",
        language="sv" if swedish and rng.random() < 0.85 else "en",
        tech_id=rng.random() < 0.93,
        joined=joined,
    )


def people_save(*, ctx: DemoContext) -> list[User]:
    """Write the people planned so far, each with a verified primary address."""
    users, ctx.unsaved_users = ctx.unsaved_users, []
    batched_create(User, users)
    batched_create(
        EmailAddress,
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
    )
    return users


def program_team_create(*, ctx: DemoContext) -> User:
    """The program team's staff member (returned) and the portal's superuser, written."""
    team_joined = ctx.days_ago(1500)
    staff = demo_account(
        ctx=ctx,
        email=STAFF_EMAIL,
        name="Sara Ekström",
        tech_id=False,
        joined=team_joined,
        is_staff=True,
    )
    demo_account(
        ctx=ctx,
        email=ADMIN_EMAIL,
        name="Portal administrator",
        tech_id=False,
        joined=team_joined,
        is_staff=True,
        is_superuser=True,
    )
    people_save(ctx=ctx)
    staff.groups.add(AuthGroup.objects.get_or_create(name=PROGRAM_TEAM)[0])
    return staff
