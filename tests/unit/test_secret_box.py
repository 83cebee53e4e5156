"""The secret box that keeps CalDAV passwords: sealed under SECRET_KEY, opened with it or
a fallback after a rotation, resealed under the newest key."""

from __future__ import annotations

import pytest

from interviews.secret_box import SecretUnreadable, open_sealed, reseal, seal

OLD, NEW = "the-old-secret-key", "the-new-secret-key"


def test_a_sealed_secret_opens_with_its_key_and_does_not_show_the_secret():
    sealed = seal("app-password-123", OLD)

    assert "app-password-123" not in sealed
    assert sealed.isascii()
    assert open_sealed(sealed, OLD) == "app-password-123"


def test_sealing_twice_gives_different_text():
    assert seal("same", OLD) != seal("same", OLD)


def test_after_a_rotation_the_old_key_as_fallback_opens_it():
    sealed = seal("app-password-123", OLD)

    assert open_sealed(sealed, NEW, [OLD]) == "app-password-123"
    with pytest.raises(SecretUnreadable, match="SECRET_KEY changed"):
        open_sealed(sealed, NEW)


def test_reseal_moves_a_secret_to_the_newest_key():
    resealed = reseal(seal("app-password-123", OLD), NEW, [OLD])

    assert open_sealed(resealed, NEW) == "app-password-123"
    with pytest.raises(SecretUnreadable):
        open_sealed(resealed, OLD)


@pytest.mark.parametrize("sealed", ["", "not-a-token", "gAAAAA" + "x" * 80, "é"])
def test_garbage_or_a_lost_key_is_unreadable_never_a_crash(sealed):
    with pytest.raises(SecretUnreadable):
        open_sealed(sealed, NEW, [OLD])
    with pytest.raises(SecretUnreadable):
        reseal(sealed, NEW, [OLD])


def test_the_unreadable_message_does_not_hold_the_sealed_text():
    sealed = seal("app-password-123", OLD)

    with pytest.raises(SecretUnreadable) as caught:
        open_sealed(sealed, NEW)

    assert sealed not in str(caught.value)
