"""The Tech Community user ID parser: the number bare or as the profile URL, nothing else."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from leaders.validators import INVALID_MESSAGE, parse_tech_community_id

PROFILE = "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/"
PATH = "/t5/user/viewprofilepage/user-id/"
MAX_ID = 2**63 - 1

# No example database: the property tests must not leave a .hypothesis folder in the project.
no_database = hypothesis_settings(database=None, deadline=None)


def assert_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_tech_community_id(value)
    assert caught.value.messages == [str(INVALID_MESSAGE)]


def test_bare_number_is_accepted():
    assert parse_tech_community_id("123456") == 123456


def test_surrounding_whitespace_is_ignored():
    assert parse_tech_community_id(" 123456 ") == 123456


def test_an_int_is_accepted():
    assert parse_tech_community_id(123456) == 123456


def test_https_profile_url_gives_the_number_at_its_end():
    assert parse_tech_community_id(PROFILE + "123456") == 123456


def test_http_profile_url_is_accepted():
    assert parse_tech_community_id(f"http://techcommunity.microsoft.com{PATH}123456") == 123456


def test_profile_url_with_trailing_slash_is_accepted():
    assert parse_tech_community_id(PROFILE + "123456/") == 123456


def test_largest_id_is_accepted():
    assert parse_tech_community_id(str(MAX_ID)) == MAX_ID


def test_rejection_message_explains_what_to_enter():
    with pytest.raises(ValidationError) as caught:
        parse_tech_community_id("abc")

    assert "123456" in caught.value.messages[0]
    assert PROFILE + "123456" in caught.value.messages[0]
    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("abc", id="letters"),
        pytest.param("-5", id="negative"),
        pytest.param("+5", id="plus-sign"),
        pytest.param("0", id="zero"),
        pytest.param("000", id="zeros"),
        pytest.param("12.5", id="decimal"),
        pytest.param("12 34", id="inner-space"),
        pytest.param("１２３", id="full-width-digits"),
        pytest.param("١٢٣", id="arabic-indic-digits"),
        pytest.param(str(2**63), id="beyond-bigint"),
        pytest.param("9" * 40, id="far-beyond-bigint"),
    ],
)
def test_value_that_is_not_a_positive_number_is_rejected(value):
    assert_rejected(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(f"https://evil.example.org{PATH}123456", id="other-host"),
        pytest.param(f"https://techcommunity.microsoft.com.evil.org{PATH}123456", id="host-suffix"),
        pytest.param(
            f"https://evil.org/techcommunity.microsoft.com{PATH}123456", id="host-in-path"
        ),
        pytest.param(f"https://techcommunity.microsoft.com@evil.org{PATH}123456", id="userinfo"),
        pytest.param(f"https://techcommunity.microsoft.com:8080{PATH}123456", id="port"),
        pytest.param(f"https://techcommunity.microsoft.com:443{PATH}123456", id="default-port"),
        pytest.param("https://techcommunity.microsoft.com/t5/user/123456", id="other-path"),
        pytest.param(f"https://techcommunity.microsoft.com{PATH}123456/extra", id="longer-path"),
        pytest.param(f"https://techcommunity.microsoft.com{PATH}", id="no-id"),
        pytest.param(f"https://techcommunity.microsoft.com{PATH}abc", id="id-not-a-number"),
        pytest.param(f"https://techcommunity.microsoft.com{PATH}0", id="id-zero"),
        pytest.param(f"https://techcommunity.microsoft.com{PATH}{2**63}", id="id-too-large"),
        pytest.param(f"ftp://techcommunity.microsoft.com{PATH}123456", id="ftp"),
        pytest.param(f"javascript://techcommunity.microsoft.com{PATH}123456", id="javascript-url"),
        pytest.param("javascript:alert(123456)", id="javascript"),
        pytest.param(f"//techcommunity.microsoft.com{PATH}123456", id="no-scheme"),
        pytest.param(f"techcommunity.microsoft.com{PATH}123456", id="bare-host"),
    ],
)
def test_url_other_than_the_profile_address_is_rejected(value):
    assert_rejected(value)


def test_full_width_digits_in_the_profile_url_are_rejected():
    assert_rejected(PROFILE + "１２３")


def test_port_zero_in_the_profile_url_is_rejected():
    assert_rejected(f"https://techcommunity.microsoft.com:0{PATH}123456")


def test_non_numeric_port_is_rejected_with_the_clear_message():
    assert_rejected(f"https://techcommunity.microsoft.com:abc{PATH}123456")


def test_out_of_range_port_is_rejected_with_the_clear_message():
    assert_rejected(f"https://techcommunity.microsoft.com:99999{PATH}123456")


def test_malformed_ipv6_host_is_rejected_with_the_clear_message():
    assert_rejected(f"https://[::1{PATH}123456")


def test_thousands_of_digits_are_rejected_with_the_clear_message():
    assert_rejected("1" * 5000)


@no_database
@given(st.integers(min_value=1, max_value=MAX_ID))
def test_any_valid_id_round_trips_as_a_bare_number(number):
    assert parse_tech_community_id(str(number)) == number


@no_database
@given(st.integers(min_value=1, max_value=MAX_ID))
def test_any_valid_id_round_trips_as_a_profile_url(number):
    assert parse_tech_community_id(PROFILE + str(number)) == number


@no_database
@given(st.text())
def test_arbitrary_text_raises_nothing_but_validation_error(text):
    with contextlib.suppress(ValidationError):
        parse_tech_community_id(text)


@no_database
@given(st.text())
def test_arbitrary_text_after_the_profile_host_raises_nothing_but_validation_error(text):
    with contextlib.suppress(ValidationError):
        parse_tech_community_id(f"https://techcommunity.microsoft.com{text}{PATH}1")
