"""factory_boy factories for every model the tests build."""

from datetime import timedelta

import factory
from django.utils.timezone import now

from groups.models import Group
from leaders.models import Leadership, ProgramRules, RulesAcceptance, User
from meetings.models import FeedImport, Meeting
from program.models import ContentItem, NewsItem, QuarterlyCall

#: Every UserFactory person's password.
PASSWORD = "correct horse battery"
#: The authenticator app StaffFactory gives staff.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    tech_community_id = factory.Sequence(lambda n: 100000 + n)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    tech_community_id = None

    @factory.post_generation
    def authenticator_app(obj, create, extracted, **kwargs):
        """Staff need two-factor authentication for the admin (leaders.middleware)."""
        if create and extracted is not False:
            from allauth.mfa.models import Authenticator

            Authenticator.objects.create(
                user=obj, type=Authenticator.Type.TOTP, data={"secret": STAFF_TOTP_SECRET}
            )


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Azure User Group {n}")
    slug = factory.Sequence(lambda n: f"azure-user-group-{n}")
    city = "Stockholm"
    country = "SE"
    timezone = "Europe/Stockholm"
    languages = factory.LazyFunction(lambda: ["sv", "en"])
    description = "Monthly meetups about Azure."
    home_page_url = factory.Sequence(lambda n: f"https://group{n}.example.org/")
    code_of_conduct_url = factory.Sequence(lambda n: f"https://group{n}.example.org/conduct")
    status = Group.Status.SUBMITTED
    submitted_at = factory.LazyFunction(now)

    class Params:
        admitted = factory.Trait(
            status=Group.Status.ADMITTED,
            admitted_at=factory.LazyFunction(lambda: now() - timedelta(days=500)),
        )


class LeadershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leadership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Leadership.Role.LEADER
    started_at = factory.LazyFunction(lambda: now() - timedelta(days=400))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Meetup {n}")
    starts_at = factory.LazyFunction(lambda: now() - timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    is_azure_related = True
    attendee_count = 30


class FeedImportFactory(factory.django.DjangoModelFactory):
    """A queued import of the group's feed; set `status` and the times for the other states."""

    class Meta:
        model = FeedImport

    group = factory.SubFactory(GroupFactory)
    url = "https://calendar.example.org/feed.ics"
    language = "en"


class ProgramRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramRules
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: n + 1)
    title = "Program rules of conduct"
    body = "Be kind. Keep meetings free to attend."
    published_at = factory.LazyFunction(now)


class RulesAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RulesAcceptance

    user = factory.SubFactory(UserFactory)
    rules = factory.SubFactory(ProgramRulesFactory)


class QuarterlyCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyCall

    title = factory.Sequence(lambda n: f"Quarterly leaders call {n}")
    starts_at = factory.LazyFunction(lambda: now() + timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda c: c.starts_at + timedelta(hours=1))
    agenda = "Program news; your questions."
    join_url = "https://meet.example.org/call"


class ContentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentItem

    title = factory.Sequence(lambda n: f"Content {n}")
    kind = ContentItem.Kind.SLIDES
    url = "https://content.example.org/deck"
    is_published = True
    published_at = factory.LazyFunction(now)


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"News {n}")
    body = "Something happened."
    published_at = factory.LazyFunction(now)
