"""Every instant is stored as UTC and read back aware, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from interviews.accounts.models import Workspace
from interviews.db import NaiveDatetimeError, db


def test_an_aware_instant_comes_back_as_the_same_instant_in_utc(app):
    berlin_evening = datetime(
        2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )  # just before DST
    with app.app_context():
        db.session.add(Workspace(name="Berlin", created_at=berlin_evening))
        db.session.commit()
        db.session.expunge_all()

        stored = db.session.scalar(select(Workspace.created_at))

    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == berlin_evening
    assert stored == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_ordering_and_comparison_use_the_instant_not_the_wall_clock(app):
    earlier_in_tokyo = datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))  # 00:00 UTC
    later_in_new_york = datetime(
        2026, 5, 31, 21, 0, tzinfo=ZoneInfo("America/New_York")
    )  # 01:00 UTC
    with app.app_context():
        db.session.add_all(
            [
                Workspace(name="NY", created_at=later_in_new_york),
                Workspace(name="Tokyo", created_at=earlier_in_tokyo),
            ]
        )
        db.session.commit()
        names = db.session.scalars(select(Workspace.name).order_by(Workspace.created_at)).all()
        after = db.session.scalar(
            select(func.count())
            .select_from(Workspace)
            .where(Workspace.created_at > datetime(2026, 6, 1, 0, 30, tzinfo=UTC))
        )
    assert names == ["Tokyo", "NY"]
    assert after == 1


def test_a_naive_datetime_is_refused_and_nothing_is_written(app):
    with app.app_context():
        db.session.add(Workspace(name="Naive", created_at=datetime(2026, 1, 1, 12, 0)))  # noqa: DTZ001
        with pytest.raises(StatementError) as caught:
            db.session.commit()
        assert isinstance(caught.value.orig, NaiveDatetimeError)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Workspace)) == 0
