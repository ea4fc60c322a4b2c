"""Who may read a conversation (docs/program.md, "Contacting the program team")."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from contact.access import thread_readers, threads_visible_to
from contact.models import Thread
from contact.services import thread_start
from leaders.models import Leadership
from tests.builders import verified_user
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def start(author, group, kind=Thread.Kind.QUESTION):
    return thread_start(author=author, group=group, kind=kind, subject="Subject", body="Body")


def visible(user):
    return set(threads_visible_to(user))


def test_a_question_is_visible_to_its_author_and_the_groups_other_contact(group, leader, co_leader):
    thread = start(leader, group)

    assert thread in visible(leader)
    assert thread in visible(co_leader)


def test_a_conduct_incident_is_visible_to_its_author_only(group, leader, co_leader):
    thread = start(leader, group, Thread.Kind.CONDUCT_INCIDENT)

    assert thread in visible(leader)
    assert thread not in visible(co_leader)


def test_another_groups_leader_sees_no_thread_of_the_group(group, leader, other_leader):
    for kind in Thread.Kind.values:
        start(leader, group, kind)

    assert visible(other_leader) == set()


def test_staff_and_anonymous_visitors_see_no_thread_in_the_portal(group, leader):
    start(leader, group)
    start(leader, group, Thread.Kind.CONDUCT_INCIDENT)

    assert visible(StaffFactory()) == set()
    assert visible(AnonymousUser()) == set()


def test_a_thread_about_no_group_is_visible_to_its_author_only(group, leader, co_leader):
    thread = start(leader, None, Thread.Kind.LEADERSHIP_CHANGE)

    assert visible(leader) == {thread}
    assert visible(co_leader) == set()


def test_a_former_contact_no_longer_sees_the_groups_threads_but_keeps_their_own(
    group, leader, co_leader
):
    own = start(co_leader, group)
    theirs = start(leader, group)
    Leadership.objects.filter(user=co_leader).update(ended_at=timezone.now())

    assert visible(co_leader) == {own}
    assert theirs not in visible(co_leader)


def test_a_new_contact_sees_the_groups_earlier_questions_but_no_incident(group, leader):
    question = start(leader, group)
    start(leader, group, Thread.Kind.CONDUCT_INCIDENT)
    newcomer = verified_user(email="new@example.org")
    Leadership.objects.create(group=group, user=newcomer, role=Leadership.Role.CO_LEADER)

    assert visible(newcomer) == {question}


@pytest.mark.parametrize("kind", Thread.Kind.values)
@pytest.mark.parametrize("about_group", [True, False])
def test_the_readers_of_an_answer_are_those_who_may_read_the_thread(
    group, leader, co_leader, other_leader, kind, about_group
):
    """The query and the recipient list say the same rule."""
    thread = start(leader, group if about_group else None, kind)
    everyone = [leader, co_leader, other_leader, StaffFactory()]

    readers = set(thread_readers(thread))

    assert readers == {person for person in everyone if thread in visible(person)}
