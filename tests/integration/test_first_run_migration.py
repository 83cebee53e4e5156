"""Migration 0017: the first-run checklist gets its per-workspace table, and accounts
signed in when it runs count as having signed in before."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import inspect, text

from interviews.app import create_app
from interviews.db import db
from tests.integration.test_sessions import empty_database  # noqa: F401 (a fixture)


def test_the_upgrade_fills_last_sign_ins_from_live_sessions_and_downgrades_cleanly(
    base_config,
    empty_database,  # noqa: F811
):
    app = create_app({**base_config, "DATABASE_URL": empty_database})
    with app.app_context():
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO workspace (id, name, pattern_threshold, created_at) "
                    "VALUES (1, 'Northwind', 3, '2026-11-01 09:00:00')"
                )
            )
            for user_id, email in ((1, "dana@northwind.example"), (2, "sam@northwind.example")):
                connection.execute(
                    text(
                        "INSERT INTO user_account (id, email, name, password_hash, created_at) "
                        "VALUES (:id, :email, 'Someone', 'x', '2026-11-01 09:00:00')"
                    ),
                    {"id": user_id, "email": email},
                )
            # Dana signed up on the web and is still signed in, in two browsers; Sam's
            # account was made for him and never used.
            for session_id, created in ((1, "2026-11-03 08:00:00"), (2, "2026-11-02 08:00:00")):
                connection.execute(
                    text(
                        "INSERT INTO user_session (id, user_id, secret_hash, device, created_at, "
                        "last_seen_at) VALUES (:id, 1, :hash, 'Firefox', :at, :at)"
                    ),
                    {"id": session_id, "hash": f"h{session_id}", "at": created},
                )

        flask_migrate.upgrade()

        with db.engine.connect() as connection:
            signed_in = dict(
                connection.execute(text("SELECT id, last_login_at FROM user_account")).all()
            )
        assert signed_in[2] is None
        assert str(signed_in[1]).startswith("2026-11-02 08:00:00")  # the oldest session
        assert "first_run_checklist" in inspect(db.engine).get_table_names()

        flask_migrate.downgrade(revision="0016")
        assert "first_run_checklist" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 2
        flask_migrate.upgrade()
        db.engine.dispose()
