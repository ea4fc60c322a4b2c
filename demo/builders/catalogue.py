"""The words and numbers the demo draws from: places, names, talks, venues, the program's own
content and news, and what the program team writes to leaders. Data only, no database."""

from dataclasses import dataclass
from decimal import Decimal

from leaders.models import LeadershipChangeRequest
from membership.models import Review
from membership.requirements import Code
from program.models import ContentItem

Decision = Review.Decision


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
    Decision.KEEP_WITH_FOLLOW_UP: "The group stays in the program, but it held few Azure "
    "meetings this year. Please log the meetings you hold, at regular intervals, by the date "
    "below.",
}
#: How long a demo follow-up gives the group to fix what the review found.
FOLLOW_UP_DAYS = 45

#: Why the program team admitted a group that failed part of its checklist that day.
ADMIT_OVERRIDE = (
    "Admitted on the leaders' word that they are completing what the checklist misses; "
    "checked again at the next review."
)
#: The program team's note on a hand-over it made for the leaders.
HANDOVER_NOTE = "Done by the program team: the co-leader took over as leader."


def names_for(country: str) -> tuple[list[str], list[str]]:
    """First and last names for people who plausibly lead a group in `country`."""
    return NAMES.get(country, _ENGLISH_NAMES)
