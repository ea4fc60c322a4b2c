"""The public group directory: the list of admitted groups, a page per group, and
calendar feeds of their upcoming meetings. Open to everyone; nothing about leaders shows."""

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from groups.models import Group

from . import selectors as directory

SEARCH_MAX_LENGTH = 100
#: Calendar clients poll feeds; a cache may keep a copy this long (seconds).
FEED_MAX_AGE = 15 * 60


class DirectoryFilterForm(forms.Form):
    """Search and filters of the directory, a GET form. A value it cannot use is reported
    beside its field and then ignored, so the page always answers."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=gettext_lazy("A group's name, city or a word from its description."),
        error_messages={
            "max_length": gettext_lazy(
                "Use at most %(limit_value)d characters: showing every group."
            ),
        },
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("No listed group is in that country: showing all.")
        },
    )
    city = forms.ChoiceField(
        label=gettext_lazy("City"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("No listed group is in that city: showing all.")
        },
    )

    def __init__(
        self, *args: Any, countries: list[tuple[str, str]], cities: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        country_field: Any = self.fields["country"]
        city_field: Any = self.fields["city"]
        country_field.choices = [("", _("All countries")), *countries]
        city_field.choices = [("", _("All cities")), *((city, city) for city in cities)]

    def filters(self) -> dict[str, str]:
        """The usable filters only: search, country and city, "" for all."""
        if not self.is_bound:
            return {"search": "", "country": "", "city": ""}
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "country": data.get("country") or "",
            "city": data.get("city") or "",
        }


def _known_country(raw: object, countries: list[tuple[str, str]]) -> str:
    """The requested country code if some admitted group is there, else ""."""
    return raw if isinstance(raw, str) and raw in {code for code, _name in countries} else ""


def _page_of(items: Any, *, number: str | None) -> dict[str, Any]:
    """A page of groups for program/_pagination.html; a bad number gives the first page and
    one past the end the last."""
    paginator = Paginator(items, directory.GROUPS_PER_PAGE)
    page: Page[Any] = paginator.get_page(number)
    numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return {"page": page, "page_numbers": numbers}


@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    """Admitted groups by name, searchable, filterable by country and city, 24 to a page."""
    now = timezone.now()
    places = directory.directory_places()
    # The city list follows the chosen country, so it only offers cities that give results.
    country = _known_country(request.GET.get("country"), places.countries)
    form = DirectoryFilterForm(
        request.GET or None, countries=places.countries, cities=places.cities(country)
    )
    filters = form.filters()
    groups = directory.directory_groups(now=now, **filters)
    context = _page_of(groups, number=request.GET.get("page"))
    context.update(
        form=form,
        is_filtered=any(filters.values()),
        entries=directory.directory_entries(context["page"].object_list),
    )
    return render(request, "directory/list.html", context)


def _public_group_or_404(slug: str) -> Group:
    """The admitted group with this slug; any other group, or none, is not in the directory."""
    group = directory.public_group(slug=slug)
    if group is None:
        raise Http404(_("There is no such group in the directory."))
    return group


@require_safe
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One admitted group: where it meets, in which languages, its links and next meetings."""
    group = _public_group_or_404(slug)
    now = timezone.now()
    context = {
        "group": group,
        "zone": directory.group_zone(group),
        "group_languages": directory.language_names(group.languages),
        "meetings": directory.group_upcoming_meetings(group, now=now),
    }
    return render(request, "directory/group.html", context)


def _calendar_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    # Inline: a calendar client subscribes to the address; a browser may offer to open it.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, max_age=FEED_MAX_AGE)
    # The wording follows the visitor's language, which a cookie may choose.
    patch_vary_headers(response, ["Cookie"])
    return response


def _links(request: HttpRequest) -> directory.FeedLinks:
    return directory.FeedLinks(base_url=request.build_absolute_uri("/").rstrip("/"))


@require_safe
def group_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's upcoming meetings as an iCalendar feed to subscribe to."""
    group = _public_group_or_404(slug)
    now = timezone.now()
    content = directory.meetings_calendar(
        directory.group_feed_meetings(group, now=now),
        name=_("%(group)s meetings") % {"group": group.name},
        links=_links(request),
        now=now,
        group=group,
    )
    return _calendar_response(content, filename=f"{group.slug}-meetings.ics")


@require_safe
def program_calendar(request: HttpRequest) -> HttpResponse:
    """Every admitted group's upcoming meetings as one iCalendar feed."""
    now = timezone.now()
    content = directory.meetings_calendar(
        directory.program_feed_meetings(now=now),
        name=_("Tech Groups meetings"),
        links=_links(request),
        now=now,
    )
    return _calendar_response(content, filename="tech-groups-meetings.ics")
