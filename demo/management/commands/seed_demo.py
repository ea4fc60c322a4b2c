"""Fill an empty database with a realistic, deterministic demo of the program.

Everything is generated from one `random.Random(seed)`, so the same seed gives the same groups,
people and meetings (dates are relative to the day it runs). Rows are written with bulk_create in
batches and the demo password is hashed once, so 10,000 groups take well under a minute.
"""

import random
import time
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify

from core.models import AuditEntry
from groups.models import Group
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    ProgramRules,
    RulesAcceptance,
    User,
)
from meetings.models import Meeting
from membership.models import LeaveRequest, Review
from membership.requirements import Code, Outcome, RequirementResult
from program.models import ContentItem, NewsItem, QuarterlyCall

Status = Group.Status
Decision = Review.Decision
Role = Leadership.Role
EndReason = Leadership.EndReason

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed for the demo; never a real account
PROGRAM_TEAM = "Program team"
BATCH_SIZE = 2000
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

#: The first groups tell the demo's stories, so every status and case is there at any size.
SCENARIOS = [
    "featured",  # admitted, meets every requirement: leader@ and coleader@
    "solo",  # admitted, no co-leader, a pending invitation, due for review: solo@
    "new_leader",  # admitted, leader changed 3 weeks ago, new leader has not accepted the rules
    "applicant",  # draft application of applicant@
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.DECLINED,
    Status.INACTIVE,
    Status.LEFT,
]
MIN_GROUPS = len(SCENARIOS)

STATUS_WEIGHTS = {
    Status.ADMITTED: 68,
    Status.DRAFT: 5,
    Status.SUBMITTED: 6,
    Status.CHANGES_REQUESTED: 4,
    Status.DECLINED: 4,
    Status.INACTIVE: 7,
    Status.LEFT: 6,
}
#: How an admitted group's year of meetings looks; all but "regular" miss a meeting rule.
MEETING_PROFILES = {"regular": 70, "sparse": 12, "bunched": 9, "off_topic": 9}


@dataclass(frozen=True)
class Place:
    city: str
    country: str
    timezone: str
    languages: tuple[str, ...]
    weight: int


PLACES = [
    Place("Stockholm", "SE", "Europe/Stockholm", ("sv", "en"), 12),
    Place("Göteborg", "SE", "Europe/Stockholm", ("sv", "en"), 8),
    Place("Malmö", "SE", "Europe/Stockholm", ("sv", "en"), 7),
    Place("Uppsala", "SE", "Europe/Stockholm", ("sv", "en"), 4),
    Place("Linköping", "SE", "Europe/Stockholm", ("sv", "en"), 4),
    Place("Umeå", "SE", "Europe/Stockholm", ("sv", "en"), 3),
    Place("Örebro", "SE", "Europe/Stockholm", ("sv", "en"), 2),
    Place("Västerås", "SE", "Europe/Stockholm", ("sv", "en"), 2),
    Place("Lund", "SE", "Europe/Stockholm", ("sv", "en"), 3),
    Place("Luleå", "SE", "Europe/Stockholm", ("sv", "en"), 2),
    Place("Jönköping", "SE", "Europe/Stockholm", ("sv", "en"), 2),
    Place("Karlstad", "SE", "Europe/Stockholm", ("sv", "en"), 2),
    Place("Oslo", "NO", "Europe/Oslo", ("nb", "en"), 8),
    Place("Bergen", "NO", "Europe/Oslo", ("nb", "en"), 4),
    Place("Trondheim", "NO", "Europe/Oslo", ("nb", "en"), 4),
    Place("Stavanger", "NO", "Europe/Oslo", ("nb", "en"), 3),
    Place("Tromsø", "NO", "Europe/Oslo", ("nb", "en"), 2),
    Place("København", "DK", "Europe/Copenhagen", ("da", "en"), 8),
    Place("Aarhus", "DK", "Europe/Copenhagen", ("da", "en"), 4),
    Place("Odense", "DK", "Europe/Copenhagen", ("da", "en"), 3),
    Place("Aalborg", "DK", "Europe/Copenhagen", ("da", "en"), 2),
    Place("Helsinki", "FI", "Europe/Helsinki", ("fi", "sv", "en"), 8),
    Place("Espoo", "FI", "Europe/Helsinki", ("fi", "en"), 3),
    Place("Tampere", "FI", "Europe/Helsinki", ("fi", "en"), 4),
    Place("Turku", "FI", "Europe/Helsinki", ("fi", "sv", "en"), 3),
    Place("Oulu", "FI", "Europe/Helsinki", ("fi", "en"), 2),
    Place("Reykjavík", "IS", "Atlantic/Reykjavik", ("en",), 2),
    Place("Tallinn", "EE", "Europe/Tallinn", ("en",), 2),
    Place("Berlin", "DE", "Europe/Berlin", ("de", "en"), 5),
    Place("Hamburg", "DE", "Europe/Berlin", ("de", "en"), 3),
    Place("München", "DE", "Europe/Berlin", ("de", "en"), 3),
    Place("Köln", "DE", "Europe/Berlin", ("de", "en"), 2),
    Place("Frankfurt am Main", "DE", "Europe/Berlin", ("de", "en"), 2),
    Place("Wien", "AT", "Europe/Vienna", ("de", "en"), 2),
    Place("Zürich", "CH", "Europe/Zurich", ("de", "en"), 2),
    Place("Amsterdam", "NL", "Europe/Amsterdam", ("nl", "en"), 4),
    Place("Rotterdam", "NL", "Europe/Amsterdam", ("nl", "en"), 2),
    Place("Utrecht", "NL", "Europe/Amsterdam", ("nl", "en"), 2),
    Place("Eindhoven", "NL", "Europe/Amsterdam", ("nl", "en"), 2),
    Place("Gent", "BE", "Europe/Brussels", ("nl", "en"), 1),
    Place("Bruxelles", "BE", "Europe/Brussels", ("fr", "nl", "en"), 2),
    Place("Warszawa", "PL", "Europe/Warsaw", ("pl", "en"), 3),
    Place("Kraków", "PL", "Europe/Warsaw", ("pl", "en"), 2),
    Place("Wrocław", "PL", "Europe/Warsaw", ("pl", "en"), 2),
    Place("Gdańsk", "PL", "Europe/Warsaw", ("pl", "en"), 1),
    Place("Paris", "FR", "Europe/Paris", ("fr", "en"), 3),
    Place("Lyon", "FR", "Europe/Paris", ("fr",), 2),
    Place("Toulouse", "FR", "Europe/Paris", ("fr",), 1),
    Place("Madrid", "ES", "Europe/Madrid", ("es", "en"), 3),
    Place("Barcelona", "ES", "Europe/Madrid", ("es", "en"), 2),
    Place("Valencia", "ES", "Europe/Madrid", ("es",), 1),
    Place("Lisboa", "PT", "Europe/Lisbon", ("pt", "en"), 2),
    Place("Porto", "PT", "Europe/Lisbon", ("pt", "en"), 1),
    Place("Milano", "IT", "Europe/Rome", ("it", "en"), 2),
    Place("Roma", "IT", "Europe/Rome", ("it",), 1),
    Place("Torino", "IT", "Europe/Rome", ("it",), 1),
    Place("London", "GB", "Europe/London", ("en",), 4),
    Place("Manchester", "GB", "Europe/London", ("en",), 2),
    Place("Edinburgh", "GB", "Europe/London", ("en",), 2),
    Place("Dublin", "IE", "Europe/Dublin", ("en",), 3),
    Place("Cork", "IE", "Europe/Dublin", ("en",), 1),
]

_ENGLISH_NAMES = (
    ["Emma", "James", "Olivia", "Oliver", "Charlotte", "Harry", "Sophie", "Jack", "Amelia", "Tom"],
    [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Evans",
        "Murphy",
        "Walsh",
        "Kelly",
    ],
)
_GERMAN_NAMES = (
    ["Anna", "Lukas", "Julia", "Felix", "Lena", "Jonas", "Katharina", "Max", "Sarah", "Tobias"],
    ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch"],
)
_DUTCH_NAMES = (
    ["Sanne", "Daan", "Lotte", "Bram", "Fleur", "Thijs", "Eva", "Jeroen", "Anouk", "Ruben"],
    ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"],
)
#: First and last names by country, for people who plausibly lead a group there.
NAMES: dict[str, tuple[list[str], list[str]]] = {
    "SE": (
        ["Astrid", "Erik", "Karin", "Johan", "Maja", "Lars", "Elin", "Anders", "Sofia", "Oskar"],
        ["Lindqvist", "Johansson", "Andersson", "Karlsson", "Nilsson", "Bergström", "Holm", "Ek"],
    ),
    "NO": (
        ["Ingrid", "Ole", "Kari", "Magnus", "Silje", "Eirik", "Marte", "Sindre", "Nora", "Jonas"],
        ["Hansen", "Johansen", "Olsen", "Larsen", "Nygaard", "Berg", "Haugen", "Bakke", "Solberg"],
    ),
    "DK": (
        ["Mette", "Søren", "Freja", "Rasmus", "Camilla", "Mads", "Sofie", "Jens", "Louise"],
        ["Nielsen", "Jensen", "Pedersen", "Rasmussen", "Christensen", "Mortensen", "Madsen"],
    ),
    "FI": (
        ["Aino", "Mikko", "Laura", "Juha", "Emilia", "Antti", "Veera", "Jukka", "Sanna", "Ville"],
        ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Koskinen"],
    ),
    "IS": (["Guðrún", "Jón", "Sigríður", "Gunnar"], ["Jónsdóttir", "Sigurðsson", "Ólafsson"]),
    "EE": (
        ["Kadri", "Martin", "Liis", "Andres", "Triin"],
        ["Tamm", "Saar", "Sepp", "Mägi", "Kask"],
    ),
    "DE": _GERMAN_NAMES,
    "AT": _GERMAN_NAMES,
    "CH": _GERMAN_NAMES,
    "NL": _DUTCH_NAMES,
    "BE": _DUTCH_NAMES,
    "PL": (
        ["Anna", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Paweł", "Magdalena", "Michał"],
        ["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Król"],
    ),
    "FR": (
        ["Camille", "Julien", "Chloé", "Thomas", "Manon", "Nicolas", "Léa", "Antoine", "Sophie"],
        ["Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Moreau"],
    ),
    "ES": (
        ["Lucía", "Javier", "María", "Pablo", "Carmen", "Alejandro", "Elena", "Sergio"],
        ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"],
    ),
    "PT": (
        ["Beatriz", "João", "Inês", "Tiago", "Mariana", "Rui", "Catarina", "Miguel"],
        ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Martins", "Sousa"],
    ),
    "IT": (
        ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Matteo", "Davide"],
        ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
    ),
    "GB": _ENGLISH_NAMES,
    "IE": _ENGLISH_NAMES,
}

GROUP_NAME_PATTERNS = [
    "Azure User Group {city}",
    "{city} Azure Meetup",
    "{city} .NET & Azure User Group",
    "Cloud Native {city}",
    "{city} Data & AI Community",
    "Azure Developers {city}",
    "{city} DevOps & Cloud Meetup",
    "Power Platform & Azure {city}",
    "{city} Cloud Security Meetup",
    "Women in Cloud {city}",
    "Serverless {city}",
    "{city} Kubernetes & AKS Meetup",
    "Azure Data Platform {city}",
    "{city} AI Engineers",
    "Azure Architects {city}",
    "{city} Cloud Study Group",
]
FOCUS_TOPICS = [
    "AKS and containers",
    "serverless",
    "data and analytics",
    "AI and machine learning",
    "DevOps and platform engineering",
    "security and identity",
    "infrastructure as code",
    ".NET on Azure",
    "cloud architecture",
    "IoT and edge",
    "the Power Platform",
    "databases",
]
LANGUAGE_NAMES = {
    "en": "English",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian",
    "fi": "Finnish",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "it": "Italian",
}

AZURE_TALKS = [
    ("Azure Kubernetes Service in production", "AKS, Kubernetes, containers"),
    ("Getting started with Azure OpenAI Service", "Azure OpenAI, AI, LLMs"),
    ("Retrieval-augmented generation with Azure AI Search", "Azure AI Search, RAG, AI"),
    ("Infrastructure as code with Bicep", "Bicep, IaC"),
    ("Terraform on Azure: lessons learned", "Terraform, IaC"),
    ("Serverless with Azure Functions and Durable Functions", "Azure Functions, serverless"),
    ("Azure Container Apps deep dive", "Container Apps, Dapr, containers"),
    ("Microsoft Fabric for data engineers", "Fabric, data, analytics"),
    ("Data modelling in Cosmos DB", "Cosmos DB, NoSQL"),
    ("Zero trust networking in Azure", "networking, security, Private Link"),
    ("Microsoft Entra ID for developers", "Entra ID, identity, OAuth"),
    ("FinOps: keeping the Azure bill under control", "cost management, FinOps"),
    ("From Azure DevOps to GitHub Actions", "DevOps, CI/CD, GitHub Actions"),
    ("Event-driven architecture with Event Grid and Service Bus", "Event Grid, Service Bus"),
    ("Observability with Application Insights and OpenTelemetry", "monitoring, OpenTelemetry"),
    ("Azure landing zones in practice", "governance, landing zones, Azure Policy"),
    ("Hybrid and multicloud with Azure Arc", "Azure Arc, hybrid cloud"),
    ("Securing workloads with Defender for Cloud", "security, Defender for Cloud"),
    ("Building copilots with Semantic Kernel", "AI, Semantic Kernel, .NET"),
    (".NET Aspire on Azure", ".NET, Aspire, cloud native"),
    ("Performance tuning Azure SQL Database", "Azure SQL, databases"),
    ("PostgreSQL on Azure: flexible server", "PostgreSQL, databases"),
    ("API design with Azure API Management", "API Management, APIs"),
    ("Well-Architected Framework review", "architecture, Well-Architected"),
    ("Blazor on Azure Static Web Apps", "Static Web Apps, Blazor, web"),
    ("Lightning talks: what we built on Azure this year", "lightning talks"),
    ("Disaster recovery with Azure Site Recovery", "resilience, backup"),
    ("MLOps with Azure Machine Learning", "machine learning, MLOps"),
    ("Platform engineering with Azure Deployment Environments", "platform engineering"),
    ("AZ-204 study group", "certification, AZ-204"),
]
OTHER_TALKS = [
    ("Community social and pub quiz", "networking"),
    ("Career evening: working in tech", "careers"),
    ("Rust for C# developers", "Rust, .NET"),
    ("Summer barbecue", "networking"),
    ("Your first open-source pull request", "open source"),
    ("Year-end meetup", "networking"),
    ("Accessibility in web development", "accessibility, web"),
]
VENUE_HOSTS = [
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Tailspin Toys",
    "Woodgrove Bank",
    "Adventure Works",
    "Litware",
    "Proseware",
    "Wide World Importers",
    "Alpine Ski House",
    "Coho Winery",
    "Fourth Coffee",
]
VENUE_STREETS = ["Storgatan", "Kungsgatan", "Hamngatan", "Main Street", "Market Square", "Parkvej"]
CHARGES = [Decimal(50), Decimal(75), Decimal(100), Decimal(150)]

LEAVE_REASONS = [
    "Our organisers are moving on and nobody is able to take over for now.",
    "We are merging with another user group in the city.",
    "We want to focus on a different technology stack from next year.",
]
CHANGE_DETAILS = {
    LeadershipChangeRequest.Kind.HAND_OVER: "I am handing the group over to our co-leader.",
    LeadershipChangeRequest.Kind.STEP_DOWN: "I am stepping down after this season.",
    LeadershipChangeRequest.Kind.CO_LEADER_LEFT: "Our co-leader moved abroad and has left.",
    LeadershipChangeRequest.Kind.OTHER: "Please update the e-mail address of our co-leader.",
}

RULES_TITLE = "Rules of conduct of the Azure Tech Groups program"
RULES_BODY = """\
As a leader or co-leader of a group in the program, you agree to these rules.

1. Keep meetings free. Members are never charged an entry fee. You may recover real costs such
   as venue rental or food and drink, and you say so before the meeting.
2. Keep a code of conduct. Publish it where members find it from the group's home page, and act
   on it: harassment and discrimination have no place at your meetings.
3. Meet regularly. Hold at least six meetings a year about Azure products and services, spread
   over the year.
4. Stay reachable. The group always has a leader and a co-leader, and you tell the program team
   when either of them changes.
5. Be honest. Do not present the group as run by the vendor, and do not sell members' contact
   details or use them for anything but the group's own meetings.
6. Respect confidentiality. Early-access content and what is shared in the quarterly calls stay
   within the program until they are published.

The program team may remove a group that breaks these rules, after hearing its leaders.
"""

CONTENT = [
    ("Azure fundamentals: a one-hour talk", ContentItem.Kind.SLIDES, "azure-fundamentals"),
    ("What's new in Azure AI, this quarter", ContentItem.Kind.SLIDES, "azure-ai-quarterly"),
    ("Hands-on lab: deploy to Azure Container Apps", ContentItem.Kind.LAB, "lab-container-apps"),
    ("Hands-on lab: build a RAG app with Azure AI Search", ContentItem.Kind.LAB, "lab-rag"),
    ("Recorded session: zero trust on Azure", ContentItem.Kind.VIDEO, "video-zero-trust"),
    ("Azure architecture for beginners", ContentItem.Kind.VIDEO, "video-architecture-101"),
    ("E-book: cloud-native patterns with .NET", ContentItem.Kind.EBOOK, "ebook-cloud-native"),
    ("E-book: the FinOps handbook for Azure", ContentItem.Kind.EBOOK, "ebook-finops"),
    ("Code sample: event-driven order system", ContentItem.Kind.CODE_SAMPLE, "sample-orders"),
    ("Code sample: Bicep starter templates", ContentItem.Kind.CODE_SAMPLE, "sample-bicep"),
    ("Reference architecture: multi-tenant SaaS", ContentItem.Kind.ARCHITECTURE, "arch-saas"),
    ("Reference architecture: data lakehouse", ContentItem.Kind.ARCHITECTURE, "arch-lakehouse"),
    ("Cloud skills challenge: AI engineer", ContentItem.Kind.CHALLENGE, "challenge-ai"),
    ("Cloud skills challenge: DevOps", ContentItem.Kind.CHALLENGE, "challenge-devops"),
    ("Event-in-a-box: Global Azure", ContentItem.Kind.EVENT_IN_A_BOX, "box-global-azure"),
    ("Event-in-a-box: AI hack night", ContentItem.Kind.EVENT_IN_A_BOX, "box-ai-hack-night"),
    ("Introduktion till Azure (på svenska)", ContentItem.Kind.SLIDES, "azure-intro-sv"),
    ("Workshop kit: GitHub Copilot for teams", ContentItem.Kind.EVENT_IN_A_BOX, "box-copilot"),
]
NEWS = [
    (
        "Welcome to the new Tech Groups portal",
        "Group details, meetings and co-leaders are now managed in the portal. Log your "
        "meetings here so the program team can see how your group is doing.",
    ),
    (
        "Global Azure is coming",
        "Global Azure is the community's yearly event in April. Register your local event and "
        "use the event-in-a-box kit in the content library.",
    ),
    (
        "New early-access content: Azure AI",
        "Slides and a lab about the latest Azure AI releases are in the content library, for "
        "use in your meetings before the public launch.",
    ),
    (
        "Certification vouchers for leaders",
        "Leaders and co-leaders of admitted groups can request an exam voucher this quarter. "
        "Ask the program team.",
    ),
    (
        "Reminder: add your Tech Community ID",
        "Access to the Leaders Hub needs the Tech Community user ID of every leader. Add it on "
        "your profile page.",
    ),
]
UNPUBLISHED_NEWS = (
    "Draft: speaker programme for next season",
    "The program team is preparing a list of speakers who can visit groups. More soon.",
)

_ASCII = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ð": "d", "Ð": "D"})
_ASCII.update(str.maketrans({"ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "'": ""}))


def ascii_slug(text: str) -> str:
    """A slug that keeps Nordic letters readable: "Tromsø" becomes "tromso", not "troms"."""
    return slugify(unicodedata.normalize("NFKD", text.translate(_ASCII)))


def batched_create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        model._default_manager.bulk_create(objects[start : start + BATCH_SIZE])


@dataclass
class Stretch:
    """One stretch of a person in a role, before it becomes a Leadership row."""

    user: User
    role: str
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: str = ""


@dataclass
class GroupPlan:
    group: Group
    place: Place
    scenario: str
    profile: str
    roles: list[Stretch] = field(default_factory=list)
    #: Typical turnout; meetings vary around it.
    audience: int = 30

    def active(self, role: str) -> User | None:
        for stretch in self.roles:
            if stretch.role == role and stretch.ended_at is None:
                return stretch.user
        return None


@dataclass
class Summary:
    featured: dict[str, str] = field(default_factory=dict)
    sample_leaders: list[str] = field(default_factory=list)


#: Each decision the demo records, from which status to which; the same moves as the services.
DECISION_MOVES: dict[str, tuple[str, str]] = {
    Decision.ADMIT: (Status.SUBMITTED, Status.ADMITTED),
    Decision.REQUEST_CHANGES: (Status.SUBMITTED, Status.CHANGES_REQUESTED),
    Decision.DECLINE: (Status.SUBMITTED, Status.DECLINED),
    Decision.KEEP: (Status.ADMITTED, Status.ADMITTED),
    Decision.INACTIVATE: (Status.ADMITTED, Status.INACTIVE),
}
#: What the program team wrote to the leaders when it asked for changes, by what was missing.
CHANGES_MESSAGES = {
    Code.CODE_OF_CONDUCT: "Thanks for applying! Please publish a code of conduct, link it from "
    "your home page and add the link to the application, then resubmit.",
    Code.AZURE_MEETINGS: "Your meetings so far are mostly off-topic. Plan at least six "
    "Azure-related meetings in the coming year and resubmit.",
}
DECISION_MESSAGES: dict[str, str] = {
    Decision.DECLINE: "The group has not held the regular Azure meetings the program asks for. "
    "You are welcome to apply again once it meets regularly.",
    Decision.INACTIVATE: "The group has not met regularly for a long time, so we have moved it "
    "to inactive. Tell us when you start meeting again.",
}


class History:
    """Reviews and audit entries, shaped like the ones the services write."""

    def __init__(self, staff: User) -> None:
        self.staff = staff
        self.reviews: list[Review] = []
        self.audits: list[AuditEntry] = []
        # One checklist per outcome, shared by the rows: building it translates every title.
        self.checklists: dict[Code | None, list[dict[str, str]]] = {}

    def checklist(self, failing: Code | None) -> list[dict[str, str]]:
        if failing not in self.checklists:
            self.checklists[failing] = [
                RequirementResult(
                    code,
                    Outcome.FAIL if code == failing else Outcome.PASS,
                    "Not met at the time of the review." if code == failing else "Met.",
                ).as_dict()
                for code in Code
            ]
        return self.checklists[failing]

    def audit(
        self,
        plan: GroupPlan,
        actor: User,
        when: datetime,
        action: str,
        summary: str,
        **changes: Any,
    ) -> None:
        self.audits.append(
            AuditEntry(
                group=plan.group,
                actor=actor,
                actor_is_staff=actor.is_staff,
                created_at=when,
                action=action,
                summary=summary,
                changes={
                    name: {"before": old, "after": new} for name, (old, new) in changes.items()
                },
            )
        )

    def status_change(
        self,
        plan: GroupPlan,
        actor: User,
        when: datetime,
        before: str,
        after: str,
        why: str | Promise,
    ) -> None:
        summary = f"Status: {Status(before).label} → {Status(after).label} ({why})"
        self.audit(
            plan, actor, when, AuditEntry.Action.STATUS_CHANGE, summary, status=(before, after)
        )

    def decide(
        self, plan: GroupPlan, when: datetime, decision: str, failing: Code | None = None
    ) -> None:
        before, after = DECISION_MOVES[decision]
        checklist = self.checklist(failing)
        met = len(checklist) - (failing is not None)
        message = DECISION_MESSAGES.get(decision, "")
        if decision == Decision.REQUEST_CHANGES and failing is not None:
            message = CHANGES_MESSAGES[failing]
        self.reviews.append(
            Review(
                group=plan.group,
                reviewer=self.staff,
                decided_at=when,
                kind=Review.Kind.PERIODIC if before == Status.ADMITTED else Review.Kind.APPLICATION,
                decision=decision,
                message=message,
                status_before=before,
                status_after=after,
                checklist=checklist,
                requirements_met=met,
                requirements_total=len(checklist),
            )
        )
        label = Decision(decision).label
        if before != after:
            self.status_change(plan, self.staff, when, before, after, label)
        summary = f"Decision: {label} ({met} of {len(checklist)} met)"
        action = AuditEntry.Action.REVIEW_DECISION
        self.audit(plan, self.staff, when, action, summary, decision=("", decision))


class DemoBuilder:
    """Generates the demo in memory from one seeded RNG and writes it in batches."""

    def __init__(
        self, *, seed: int, groups: int, meetings_per_group: int, password_hash: str
    ) -> None:
        # Demo data, not secrets: a seeded, reproducible generator is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.group_count = groups
        self.meetings_per_group = meetings_per_group
        self.password_hash = password_hash
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.users: list[User] = []
        self.plans: list[GroupPlan] = []
        self.person_counter = 0
        self.tech_id = (User.objects.aggregate(m=Max("tech_community_id"))["m"] or 1_200_000) + 1
        self.names_used: Counter[str] = Counter()
        self.slugs_used: set[str] = set()
        self.zones: dict[str, zoneinfo.ZoneInfo] = {}
        self.review_days = int(getattr(settings, "TECHGROUPS_REVIEW_INTERVAL_DAYS", 182))
        self.summary = Summary()

    # People ---------------------------------------------------------------------------------

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def _account(
        self,
        *,
        email: str,
        name: str,
        language: str = "en",
        tech_id: bool = True,
        joined: datetime | None = None,
        **flags: bool,
    ) -> User:
        tech_community_id = None
        if tech_id:
            tech_community_id = self.tech_id
            self.tech_id += self.rng.randint(1, 40)
        user = User(
            email=email,
            name=name,
            preferred_language=language,
            tech_community_id=tech_community_id,
            password=self.password_hash,
            date_joined=joined or self.days_ago(1200),
            **flags,
        )
        self.users.append(user)
        return user

    def person(self, country: str, *, joined: datetime) -> User:
        """A generated leader with a name that fits the country and a unique demo address."""
        first_names, last_names = NAMES.get(country, _ENGLISH_NAMES)
        first, last = self.rng.choice(first_names), self.rng.choice(last_names)
        self.person_counter += 1
        local = f"{ascii_slug(first)}.{ascii_slug(last).replace('-', '')}"
        email = f"{local}.{self.person_counter}@{DEMO_DOMAIN}"
        swedish = country == "SE" or (country == "FI" and self.rng.random() < 0.2)
        return self._account(
            email=email,
            name=f"{first} {last}",
            language="sv" if swedish and self.rng.random() < 0.85 else "en",
            tech_id=self.rng.random() < 0.93,
            joined=joined,
        )

    # Groups ---------------------------------------------------------------------------------

    def _name_and_slug(self, place: Place) -> tuple[str, str]:
        base = self.rng.choice(GROUP_NAME_PATTERNS).format(city=place.city)
        self.names_used[base] += 1
        seen = self.names_used[base]
        name = base if seen == 1 else f"{base} {seen}"
        slug, n = ascii_slug(name), 1
        while slug in self.slugs_used:
            n += 1
            slug = f"{ascii_slug(name)}-{n}"
        self.slugs_used.add(slug)
        return name, slug

    def _description(self, name: str, place: Place, languages: list[str], planned: int) -> str:
        topics = self.rng.sample(FOCUS_TOPICS, 3)
        cadence = {6: "every other month", 8: "about eight times a year", 24: "twice a month"}
        spoken = " and ".join(LANGUAGE_NAMES[code] for code in languages)
        return (
            f"{name} brings together developers, architects and students in {place.city} who "
            f"build on Azure. We meet {cadence.get(planned, 'every month')} for talks, demos and "
            f"hands-on labs on {topics[0]}, {topics[1]} and {topics[2]}, with time to talk shop "
            f"afterwards. Meetings are in {spoken} and always free to attend."
        )

    def _new_group(self, status: str, scenario: str = "random") -> GroupPlan:
        rng = self.rng
        place = rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
        name, slug = self._name_and_slug(place)
        roll = rng.random()
        if len(place.languages) == 1 or roll < 0.3:
            languages = [place.languages[0]]
        elif roll < 0.4:
            languages = ["en"]
        else:
            languages = list(place.languages)
        planned = rng.choice([6, 8, 10, 12, 12, 12, 12, 24])
        home = rng.choice(
            [
                f"https://{slug}.example.org/",
                f"https://www.meetup.example.com/{slug}/",
                f"https://community.example.net/groups/{slug}/",
            ]
        )
        conduct = rng.choice(
            [
                f"https://{slug}.example.org/code-of-conduct",
                f"https://github.example.com/{slug}/.github/blob/main/CODE_OF_CONDUCT.md",
            ]
        )
        has_events = rng.random() < 0.75
        group = Group(
            name=name,
            slug=slug,
            city=place.city,
            country=place.country,
            timezone=place.timezone,
            languages=languages,
            description=self._description(name, place, languages, planned),
            home_page_url=home,
            code_of_conduct_url="" if rng.random() < 0.1 else conduct,
            event_page_url=f"https://www.meetup.example.com/{slug}/events/" if has_events else "",
            ical_feed_url=(
                f"https://www.meetup.example.com/{slug}/events/ical/"
                if has_events and rng.random() < 0.6
                else ""
            ),
            planned_meetings_per_year=None if rng.random() < 0.05 else planned,
            status=status,
        )
        if status == Status.CHANGES_REQUESTED and rng.random() < 0.5:
            group.code_of_conduct_url = ""  # what the program team asked them to add
        profile = "none"
        if status == Status.ADMITTED:
            profile = rng.choices(list(MEETING_PROFILES), list(MEETING_PROFILES.values()))[0]
        plan = GroupPlan(group, place, scenario, profile, audience=rng.randint(12, 90))
        self._set_dates(plan)
        if scenario == "random":
            self._set_roles(plan)
        return plan

    def _set_dates(self, plan: GroupPlan) -> None:
        """The application and decision dates that the status implies."""
        rng, group = self.rng, plan.group
        if group.status == Status.DRAFT:
            group.created_at = self.days_ago(rng.uniform(1, 60))
            group.status_changed_at = group.created_at
            return
        if group.status in {Status.ADMITTED, Status.INACTIVE, Status.LEFT}:
            # The stories and the groups that since stopped have been in for over a year.
            established = group.status != Status.ADMITTED or plan.scenario != "random"
            admitted_at = self.days_ago(rng.uniform(400 if established else 30, 1000))
            group.admitted_at = group.status_changed_at = admitted_at
            group.submitted_at = admitted_at - timedelta(days=rng.uniform(3, 40))
            if group.status == Status.INACTIVE:
                group.status_changed_at = self.days_ago(rng.uniform(10, 200))
            elif group.status == Status.LEFT:
                group.status_changed_at = self.days_ago(rng.uniform(10, 300))
        elif group.status == Status.SUBMITTED:
            group.submitted_at = self.days_ago(rng.uniform(1, 30))
            group.status_changed_at = group.submitted_at
        else:  # changes requested or declined
            group.submitted_at = self.days_ago(rng.uniform(20, 120))
            group.status_changed_at = group.submitted_at + timedelta(days=rng.uniform(2, 15))
        assert group.submitted_at is not None
        group.created_at = group.submitted_at - timedelta(days=rng.uniform(1, 20))
        if group.status == Status.ADMITTED and group.admitted_at is not None:
            first_due = timezone.localdate(group.admitted_at) + timedelta(days=self.review_days)
            if first_due > self.today:
                group.next_review_due = first_due
            elif plan.scenario == "solo" or (plan.scenario == "random" and rng.random() < 0.2):
                overdue = timedelta(days=rng.randint(1, 60))
                group.next_review_due = max(first_due, self.today - overdue)
            else:
                group.next_review_due = self.today + timedelta(days=rng.randint(1, 182))

    def _set_roles(self, plan: GroupPlan) -> None:
        rng, group, country = self.rng, plan.group, plan.place.country
        start = group.created_at
        status = group.status
        applied = status != Status.DRAFT
        with_co_leader = rng.random() < (0.85 if applied else 0.5)
        story = "stable"
        if status in {Status.ADMITTED, Status.INACTIVE}:
            story = rng.choices(["stable", "handover", "co_leader_replaced"], [70, 15, 15])[0]
        leader = self.person(country, joined=start)
        if story == "handover":
            # The co-leader took over; the old leader's row stays as history.
            handover = start + (self.now - start) * rng.uniform(0.3, 0.9)
            successor = self.person(country, joined=start)
            plan.roles += [
                Stretch(leader, Role.LEADER, start, handover, EndReason.HANDED_OVER),
                Stretch(successor, Role.CO_LEADER, start, handover, EndReason.HANDED_OVER),
                Stretch(successor, Role.LEADER, handover),
            ]
            if with_co_leader:
                new_co = self.person(country, joined=handover)
                joined = min(handover + timedelta(days=7), self.now)
                plan.roles.append(Stretch(new_co, Role.CO_LEADER, joined))
            return
        plan.roles.append(Stretch(leader, Role.LEADER, start))
        if story == "co_leader_replaced" or (status == Status.ADMITTED and not with_co_leader):
            left = start + (self.now - start) * rng.uniform(0.2, 0.9)
            former = self.person(country, joined=start)
            plan.roles.append(Stretch(former, Role.CO_LEADER, start, left, EndReason.STEPPED_DOWN))
            if with_co_leader:
                new_co = self.person(country, joined=left)
                joined = min(left + timedelta(days=14), self.now)
                plan.roles.append(Stretch(new_co, Role.CO_LEADER, joined))
        elif with_co_leader:
            plan.roles.append(Stretch(self.person(country, joined=start), Role.CO_LEADER, start))
        if status == Status.LEFT:
            for stretch in plan.roles:
                stretch.ended_at = group.status_changed_at
                stretch.end_reason = EndReason.GROUP_LEFT

    def _scenario_group(self, scenario: str) -> GroupPlan:
        """The fixed stories at the head of the list, with the featured sign-in accounts."""
        status = {
            "featured": Status.ADMITTED,
            "solo": Status.ADMITTED,
            "new_leader": Status.ADMITTED,
            "applicant": Status.DRAFT,
        }.get(scenario, scenario)
        plan = self._new_group(status, scenario)
        group, start = plan.group, plan.group.created_at
        if scenario not in {"featured", "solo", "new_leader", "applicant"}:
            self._set_roles(plan)
        elif scenario == "featured":
            plan.profile = "regular"
            group.code_of_conduct_url = f"https://{group.slug}.example.org/code-of-conduct"
            leader = self._account(
                email=LEADER_EMAIL, name="Astrid Lindqvist", language="sv", joined=start
            )
            co_leader = self._account(email=CO_LEADER_EMAIL, name="Erik Nygaard", joined=start)
            plan.roles = [
                Stretch(leader, Role.LEADER, start),
                Stretch(co_leader, Role.CO_LEADER, start),
            ]
        elif scenario == "solo":
            plan.profile = "regular"
            leader = self._account(email=SOLO_EMAIL, name="Mette Rasmussen", joined=start)
            former = self.person(plan.place.country, joined=start)
            left = self.days_ago(45)
            plan.roles = [
                Stretch(leader, Role.LEADER, start),
                Stretch(former, Role.CO_LEADER, start, max(left, start), EndReason.STEPPED_DOWN),
            ]
        elif scenario == "new_leader":
            plan.profile = "sparse"
            handover = self.days_ago(21)
            former = self.person(plan.place.country, joined=start)
            co_leader = self.person(plan.place.country, joined=start)
            leader = self._account(
                email=NEW_LEADER_EMAIL, name="Jukka Virtanen", tech_id=False, joined=handover
            )
            plan.roles = [
                Stretch(former, Role.LEADER, start, max(handover, start), EndReason.STEPPED_DOWN),
                Stretch(co_leader, Role.CO_LEADER, start),
                Stretch(leader, Role.LEADER, max(handover, start)),
            ]
        elif scenario == "applicant":
            leader = self._account(
                email=APPLICANT_EMAIL, name="Lucía García", tech_id=False, joined=start
            )
            plan.roles = [Stretch(leader, Role.LEADER, start)]
        return plan

    def plan_groups(self) -> None:
        statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        for index in range(self.group_count):
            if index < len(SCENARIOS):
                self.plans.append(self._scenario_group(SCENARIOS[index]))
            else:
                self.plans.append(self._new_group(self.rng.choices(statuses, weights)[0]))

    # Writing --------------------------------------------------------------------------------

    def write(self) -> None:
        staff = self._staff_accounts()
        rules = ProgramRules.objects.create(
            version=1,
            title=RULES_TITLE,
            body=RULES_BODY,
            published_at=self.days_ago(1100),
            created_at=self.days_ago(1110),
        )
        self.plan_groups()
        batched_create(User, self.users)
        staff.groups.add(AuthGroup.objects.get_or_create(name=PROGRAM_TEAM)[0])
        batched_create(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in self.users],
        )
        batched_create(Group, [plan.group for plan in self.plans])
        batched_create(
            Leadership,
            [
                Leadership(
                    group=plan.group,
                    user=r.user,
                    role=r.role,
                    started_at=r.started_at,
                    ended_at=r.ended_at,
                    end_reason=r.end_reason,
                )
                for plan in self.plans
                for r in plan.roles
            ],
        )
        self._write_acceptances(rules)
        self._write_history(staff)
        for batch in self._meeting_batches():
            Meeting.objects.bulk_create(batch)
        self._write_requests(staff)
        self._write_program()
        self.summary.featured = {
            "Superuser": ADMIN_EMAIL,
            "Program team (staff)": STAFF_EMAIL,
            f"Leader of “{self.plans[0].group.name}” (meets every requirement)": LEADER_EMAIL,
            f"Co-leader of “{self.plans[0].group.name}”": CO_LEADER_EMAIL,
            f"Leader of “{self.plans[1].group.name}” (no co-leader, review due)": SOLO_EMAIL,
            f"New leader of “{self.plans[2].group.name}” (rules not accepted)": NEW_LEADER_EMAIL,
            f"Applicant for “{self.plans[3].group.name}” (draft)": APPLICANT_EMAIL,
        }
        for plan in self.plans[len(SCENARIOS) : len(SCENARIOS) + 3]:
            leader = plan.roles[0].user
            status = plan.group.get_status_display()
            self.summary.sample_leaders.append(f"{leader.email} ({plan.group.name}, {status})")

    def _staff_accounts(self) -> User:
        team_joined = self.days_ago(1500)
        staff = self._account(
            email=STAFF_EMAIL,
            name="Sara Ekström",
            tech_id=False,
            joined=team_joined,
            is_staff=True,
        )
        self._account(
            email=ADMIN_EMAIL,
            name="Portal administrator",
            tech_id=False,
            joined=team_joined,
            is_staff=True,
            is_superuser=True,
        )
        return staff

    def _write_acceptances(self, rules: ProgramRules) -> None:
        """Contacts accept the rules when they apply; the new leader of "new_leader" has not."""
        published = rules.published_at
        assert published is not None
        accepted: dict[str, RulesAcceptance] = {}
        for plan in self.plans:
            if plan.group.status == Status.DRAFT:
                continue
            for r in plan.roles:
                if r.user.email == NEW_LEADER_EMAIL or r.user.email in accepted:
                    continue
                when = max(r.started_at, published) + timedelta(hours=self.rng.uniform(1, 72))
                accepted[r.user.email] = RulesAcceptance(
                    user=r.user, rules=rules, accepted_at=min(when, self.now)
                )
        batched_create(RulesAcceptance, list(accepted.values()))

    def _write_history(self, staff: User) -> None:
        """Reviews and audit entries that tell how each group reached its status."""
        history = History(staff)
        for plan in self.plans:
            group = plan.group
            if group.status == Status.DRAFT or group.submitted_at is None:
                continue
            applicant, submitted = plan.roles[0].user, group.submitted_at
            history.status_change(
                plan, applicant, submitted, Status.DRAFT, Status.SUBMITTED, "submitted"
            )
            when = group.status_changed_at
            if group.status == Status.CHANGES_REQUESTED:
                missing = Code.AZURE_MEETINGS if group.code_of_conduct_url else Code.CODE_OF_CONDUCT
                history.decide(plan, when, Decision.REQUEST_CHANGES, missing)
            elif group.status == Status.DECLINED:
                history.decide(plan, when, Decision.DECLINE, Code.AZURE_MEETINGS)
            if group.admitted_at is None:
                continue
            history.decide(plan, group.admitted_at, Decision.ADMIT)
            if group.status == Status.ADMITTED and group.next_review_due is not None:
                # Periodic reviews every interval, counted back from the next due date.
                interval = timedelta(days=self.review_days)
                due = group.next_review_due - interval
                review_days: list[date] = []
                while due > timezone.localdate(group.admitted_at) + timedelta(days=30):
                    review_days.append(due)
                    due -= interval
                for day in reversed(review_days):
                    history.decide(plan, self._at(day, clock(10), "UTC"), Decision.KEEP)
            elif group.status == Status.INACTIVE:
                history.decide(plan, when, Decision.INACTIVATE, Code.AZURE_MEETINGS)
            elif group.status == Status.LEFT:
                why = "leave request processed"
                history.status_change(plan, staff, when, Status.ADMITTED, Status.LEFT, why)
        batched_create(Review, history.reviews)
        batched_create(AuditEntry, history.audits)

    # Meetings -------------------------------------------------------------------------------

    def _at(self, day: date, at: clock, tz: str) -> datetime:
        zone = self.zones.get(tz)
        if zone is None:
            zone = self.zones[tz] = zoneinfo.ZoneInfo(tz)
        return datetime.combine(day, at, tzinfo=zone)

    def _spread(self, count: int, first: date, last: date) -> list[date]:
        """`count` days between first and last, evenly spaced with some jitter."""
        span = max((last - first).days, 1)
        return [
            first + timedelta(days=int(span * (k + self.rng.uniform(0.15, 0.85)) / count))
            for k in range(count)
        ]

    def _meeting_days(self, plan: GroupPlan) -> list[tuple[date, bool]]:
        """The days a group met (or will meet), each with whether it was about Azure."""
        rng, today, group = self.rng, self.today, plan.group
        per_year = self.meetings_per_group
        if per_year == 0:
            return []
        year_ago = today - timedelta(days=364)
        status = group.status
        days: list[date] = []
        azure_max = None
        if status == Status.ADMITTED:
            if plan.profile == "sparse":
                days = self._spread(rng.randint(2, 5), year_ago, today - timedelta(days=2))
            elif plan.profile == "bunched":
                end = today - timedelta(days=rng.randint(130, 240))
                days = self._spread(per_year, end - timedelta(days=rng.randint(50, 80)), end)
            else:
                count = per_year if plan.scenario == "featured" else per_year + rng.randint(-2, 2)
                days = self._spread(max(count, 1), year_ago, today - timedelta(days=2))
                if plan.profile == "off_topic":
                    azure_max = rng.randint(2, 5)
            upcoming = 0 if plan.profile == "bunched" else rng.randint(1, 2)
            days += self._spread(upcoming, today + timedelta(days=7), today + timedelta(days=60))
        elif status in {Status.INACTIVE, Status.LEFT}:
            stopped = timezone.localdate(group.status_changed_at) - timedelta(days=60)
            count = max(per_year // 2, 1) + rng.randint(0, 3)
            days = self._spread(count, stopped - timedelta(days=364), stopped)
        elif status == Status.DRAFT:
            days = self._spread(rng.randint(0, 3), year_ago, today - timedelta(days=2))
        else:
            count = rng.randint(2, max(per_year // 2, 2))
            days = self._spread(count, year_ago, today - timedelta(days=2))
        result = []
        azure_left = len(days) if azure_max is None else azure_max
        for day in days:
            on_topic = azure_left > 0 and rng.random() < (0.93 if azure_max is None else 0.5)
            azure_left -= on_topic
            result.append((day, on_topic))
        return result

    def _meetings_for(self, plan: GroupPlan) -> Iterator[Meeting]:
        rng, group = self.rng, plan.group
        feed = bool(group.ical_feed_url)
        for number, (day, azure) in enumerate(self._meeting_days(plan), start=1):
            workshop = azure and rng.random() < 0.08
            if workshop:  # a Saturday, on or before the planned day
                day -= timedelta(days=(day.weekday() - 5) % 7)
                at, hours = clock(rng.choice([9, 10])), 6.0
            else:  # a Tuesday to Thursday evening, on or before the planned day
                day -= timedelta(days={0: 4, 4: 1, 5: 2, 6: 3}.get(day.weekday(), 0))
                at, hours = clock(17, 30) if rng.random() < 0.7 else clock(18), 2.5
            title, topics = rng.choice(AZURE_TALKS if azure else OTHER_TALKS)
            if workshop:
                title = f"Hands-on workshop: {title}"
            elif azure and day.month == 4 and rng.random() < 0.4:
                title, topics = f"Global Azure {day.year} in {group.city}", "Global Azure"
            meeting_format = rng.choices(
                [Meeting.Format.IN_PERSON, Meeting.Format.HYBRID, Meeting.Format.ONLINE],
                [60, 22, 18],
            )[0]
            if meeting_format == Meeting.Format.ONLINE and not workshop:
                at, hours = (clock(12), 1.0) if rng.random() < 0.3 else (clock(18), 1.5)
            starts_at = self._at(day, at, group.timezone)
            in_room = meeting_format != Meeting.Format.ONLINE
            venue = ""
            if in_room:
                host = rng.choice(VENUE_HOSTS)
                street = f"{rng.choice(VENUE_STREETS)} {rng.randint(1, 80)}"
                venue = f"{host} office, {street}, {group.city}"
            charge, reason = Decimal(0), ""
            if in_room and rng.random() < 0.08:
                charge = rng.choice(CHARGES)
                reason = rng.choices(
                    [Meeting.CostReason.FOOD_AND_DRINK, Meeting.CostReason.VENUE], [80, 20]
                )[0]
            past = day < self.today
            attendees = None
            if past:
                attendees = max(4, int(plan.audience * rng.uniform(0.5, 1.4)))
            yield Meeting(
                group=group,
                title=title,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                format=meeting_format,
                venue=venue,
                online_url=(
                    f"https://meet.example.com/{group.slug}/{day:%Y%m%d}"
                    if not in_room or meeting_format == Meeting.Format.HYBRID
                    else ""
                ),
                is_azure_related=azure,
                topics=topics,
                attendee_count=attendees,
                entry_fee=Decimal(0),
                cost_recovery_charge=charge,
                cost_recovery_reason=reason,
                external_uid=f"{group.slug}-{day:%Y%m%d}-{number}@events.example.net"
                if feed
                else "",
            )

    def _meeting_batches(self) -> Iterator[list[Meeting]]:
        """Meetings in batches, so 100,000 of them never sit in memory at once."""
        batch: list[Meeting] = []
        for plan in self.plans:
            batch.extend(self._meetings_for(plan))
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    # Requests and the program's own content -------------------------------------------------

    def _write_requests(self, staff: User) -> None:
        rng = self.rng
        plans = self.plans
        solo = plans[1]
        # A pending invitation and an open request where the co-leader is missing.
        solo_leader = solo.active(Role.LEADER)
        assert solo_leader is not None
        invited_at = self.days_ago(2)
        CoLeaderInvitation.objects.create(
            group=solo.group,
            email=INVITED_EMAIL,
            invited_by=solo_leader,
            created_at=invited_at,
            expires_at=invited_at
            + timedelta(days=int(getattr(settings, "TECHGROUPS_INVITATION_EXPIRY_DAYS", 14))),
        )
        change_requests = [
            LeadershipChangeRequest(
                group=solo.group,
                requested_by=solo_leader,
                kind=LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
                details=CHANGE_DETAILS[LeadershipChangeRequest.Kind.CO_LEADER_LEFT],
                created_at=self.days_ago(44),
            )
        ]
        admitted = [
            p
            for p in plans[len(SCENARIOS) :]
            if p.group.status == Status.ADMITTED and p.active(Role.LEADER)
        ]
        kinds = [k for k in LeadershipChangeRequest.Kind if k != "co_leader_left"]
        open_changes = rng.sample(admitted, min(len(admitted), max(3, len(plans) // 150)))
        for number, plan in enumerate(open_changes):
            kind = kinds[number % len(kinds)]
            if kind == LeadershipChangeRequest.Kind.HAND_OVER and not plan.active(Role.CO_LEADER):
                kind = LeadershipChangeRequest.Kind.STEP_DOWN
            change_requests.append(
                LeadershipChangeRequest(
                    group=plan.group,
                    requested_by=plan.active(Role.LEADER),
                    kind=kind,
                    details=CHANGE_DETAILS[kind],
                    created_at=self.days_ago(rng.uniform(1, 20)),
                )
            )
        # Handovers in the history went through a request the program team processed.
        for plan in plans:
            for r in plan.roles:
                if r.end_reason == EndReason.HANDED_OVER and r.role == Role.LEADER:
                    assert r.ended_at is not None
                    change_requests.append(
                        LeadershipChangeRequest(
                            group=plan.group,
                            requested_by=r.user,
                            kind=LeadershipChangeRequest.Kind.HAND_OVER,
                            details=CHANGE_DETAILS[LeadershipChangeRequest.Kind.HAND_OVER],
                            created_at=r.ended_at - timedelta(days=rng.uniform(1, 10)),
                            status="processed",
                            processed_by=staff,
                            processed_at=r.ended_at,
                        )
                    )
        batched_create(LeadershipChangeRequest, change_requests)

        leave_requests = []
        busy = {id(plan) for plan in open_changes}
        leaving = [plan for plan in admitted if id(plan) not in busy]
        for plan in rng.sample(leaving, min(len(leaving), max(2, len(plans) // 200))):
            leave_requests.append(
                LeaveRequest(
                    group=plan.group,
                    requested_by=plan.active(Role.LEADER),
                    reason=rng.choice(LEAVE_REASONS),
                    created_at=self.days_ago(rng.uniform(1, 14)),
                )
            )
        for plan in plans:
            if plan.group.status == Status.LEFT:
                left_at = plan.group.status_changed_at
                leave_requests.append(
                    LeaveRequest(
                        group=plan.group,
                        requested_by=plan.roles[0].user,
                        reason=rng.choice(LEAVE_REASONS),
                        created_at=left_at - timedelta(days=rng.uniform(1, 10)),
                        status=LeaveRequest.Status.PROCESSED,
                        processed_by=staff,
                        processed_at=left_at,
                    )
                )
        batched_create(LeaveRequest, leave_requests)

    def _write_program(self) -> None:
        """Quarterly calls (past with recordings, upcoming with agendas), content and news."""
        rng, today = self.rng, self.today
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        calls = []
        for offset in range(-4, 3):
            month_index = quarter_start.month - 1 + 3 * offset
            year, month = quarter_start.year + month_index // 12, month_index % 12 + 1
            day = date(year, month, 1) + timedelta(days=44)
            day += timedelta(days=(2 - day.weekday()) % 7)  # a Wednesday
            starts_at = self._at(day, clock(15), "Europe/Stockholm")
            quarter = f"Q{(month - 1) // 3 + 1} {year}"
            key = f"{year}-q{(month - 1) // 3 + 1}"
            past = starts_at < self.now
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
                    slides_url=f"https://content.example.org/calls/{key}/slides.pdf"
                    if past
                    else "",
                )
            )
        QuarterlyCall.objects.bulk_create(calls)

        items = []
        for number, (title, kind, key) in enumerate(CONTENT):
            unpublished = number in {len(CONTENT) - 1, 3}
            published_at = None if unpublished else self.days_ago(rng.uniform(3, 400))
            items.append(
                ContentItem(
                    title=title,
                    kind=kind,
                    summary=f"{ContentItem.Kind(kind).label} for group meetings: {title}.",
                    language="sv" if key.endswith("-sv") else "en",
                    url=f"https://content.example.org/library/{key}",
                    early_access_until=(
                        self.now + timedelta(days=30 * (number % 3 + 1))
                        if number in {1, 12}
                        else None
                    ),
                    is_published=not unpublished,
                    published_at=published_at,
                )
            )
        ContentItem.objects.bulk_create(items)

        news = [
            NewsItem(title=title, body=body, published_at=self.days_ago(10 + 40 * number))
            for number, (title, body) in enumerate(NEWS)
        ]
        news.append(NewsItem(title=UNPUBLISHED_NEWS[0], body=UNPUBLISHED_NEWS[1]))
        NewsItem.objects.bulk_create(news)


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
            builder = DemoBuilder(
                seed=options["seed"],
                groups=groups,
                meetings_per_group=per_group,
                password_hash=make_password(DEMO_PASSWORD),
            )
            builder.write()
        self._report(builder.summary, seconds=time.perf_counter() - started)

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
