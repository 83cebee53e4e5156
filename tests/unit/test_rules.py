"""Account rules: who may do what, which passwords and links are acceptable."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.accounts.rules import (
    API_TOKEN_PREFIX,
    Role,
    can_edit,
    can_manage_members,
    invite_state,
    new_api_token,
    normalise_email,
    password_problem,
)
from interviews.tokens import hash_secret, new_secret

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "edit", "manage"),
    [(Role.OWNER, True, True), (Role.RESEARCHER, True, False), (Role.VIEWER, False, False)],
)
def test_only_owners_manage_members_and_viewers_only_read(role, edit, manage):
    assert can_edit(role) is edit
    assert can_manage_members(role) is manage


def test_emails_compare_case_insensitively():
    assert normalise_email("  Dana.Reyes@Example.COM ") == "dana.reyes@example.com"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "more than a few different"),
        ("dana@example.com", "email address"),
        ("x" * 513, "at most 512"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in password_problem(password, email="dana@example.com", name="Dana")


def test_a_decent_password_is_accepted():
    assert password_problem("correct horse battery", email="dana@example.com") is None


def test_secrets_are_unguessable_and_stored_only_as_hashes():
    secrets = {new_secret() for _ in range(200)}
    assert len(secrets) == 200
    assert all(len(s) >= 40 for s in secrets)
    token = new_api_token()
    assert token.startswith(API_TOKEN_PREFIX)
    assert hash_secret(token) == hash_secret(token)
    assert token not in hash_secret(token)


@given(offset=st.integers(min_value=-10_000, max_value=10_000))
def test_an_invite_is_usable_exactly_until_it_expires(offset):
    expires_at = NOW + timedelta(minutes=offset)
    state = invite_state(accepted_at=None, revoked_at=None, expires_at=expires_at, now=NOW)
    assert state.usable is (offset > 0)
    if not state.usable:
        assert "expired" in state.reason


def test_a_withdrawn_or_accepted_invite_says_why_it_no_longer_works():
    later = NOW + timedelta(days=1)
    withdrawn = invite_state(accepted_at=None, revoked_at=NOW, expires_at=later, now=NOW)
    accepted = invite_state(accepted_at=NOW, revoked_at=None, expires_at=later, now=NOW)
    assert not withdrawn.usable and "withdrawn" in withdrawn.reason
    assert not accepted.usable and "already been accepted" in accepted.reason
