"""Settings come from the environment with safe defaults, and refuse what cannot work."""

import pytest

from interviews.config import ConfigError, settings_from_env


def test_defaults_are_an_embedded_development_setup(tmp_path):
    settings = settings_from_env({}, tmp_path)

    assert settings["INTERVIEWS_ENV"] == "development"
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'interviews.sqlite3'}"
    assert settings["REDIS_URL"] is None
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["MAIL_BACKEND"] == "mailbox"
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["RATELIMIT_ENABLED"] is True


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = settings_from_env({}, tmp_path)["SECRET_KEY"]
    second = settings_from_env({}, tmp_path)["SECRET_KEY"]

    assert len(first) >= 40
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        settings_from_env({"INTERVIEWS_ENV": "production"}, tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_with_a_secret_key_and_https_sets_secure_cookies(tmp_path):
    settings = settings_from_env(
        {
            "INTERVIEWS_ENV": "production",
            "SECRET_KEY": "s" * 50,
            "BASE_URL": "https://desk.example.com/",
        },
        tmp_path,
    )
    assert settings["PRODUCTION"] is True
    assert settings["BASE_URL"] == "https://desk.example.com"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["MAIL_DEFAULT_SENDER"] == "desk@desk.example.com"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/desk", "postgresql+psycopg://u:p@db/desk"),
        ("postgresql://u@db/desk", "postgresql+psycopg://u@db/desk"),
        ("postgresql+psycopg://u@db/desk", "postgresql+psycopg://u@db/desk"),
    ],
)
def test_postgres_urls_use_the_psycopg3_driver(tmp_path, given, expected):
    assert (
        settings_from_env({"DATABASE_URL": given}, tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected
    )


def test_redis_url_switches_rate_limits_to_redis(tmp_path):
    settings = settings_from_env({"REDIS_URL": "redis://127.0.0.1:6379/0"}, tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INTERVIEWS_ENV": "staging"}, "INTERVIEWS_ENV must be development or production"),
        ({"MAIL_BACKEND": "carrier-pigeon"}, "MAIL_BACKEND must be mailbox or smtp"),
        ({"MAIL_USE_TLS": "true", "MAIL_USE_SSL": "true"}, "not both"),
        ({"MAIL_PORT": "twenty-five"}, "MAIL_PORT must be a whole number"),
        ({"RATELIMIT_ENABLED": "maybe"}, "RATELIMIT_ENABLED must be true or false"),
        ({"BASE_URL": "desk.example.com"}, "BASE_URL must be an http"),
    ],
)
def test_malformed_settings_are_refused_with_a_message_naming_them(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env, tmp_path)


def test_ssl_defaults_to_port_465(tmp_path):
    assert settings_from_env({"MAIL_USE_SSL": "1"}, tmp_path)["MAIL_PORT"] == 465


def test_proxies_are_not_trusted_unless_said(tmp_path):
    assert settings_from_env({}, tmp_path)["TRUSTED_PROXIES"] == 0
    assert settings_from_env({"TRUSTED_PROXIES": "1"}, tmp_path)["TRUSTED_PROXIES"] == 1


PRODUCTION = {"INTERVIEWS_ENV": "production", "SECRET_KEY": "s" * 50}


def test_production_refuses_an_http_base_url(tmp_path):
    with pytest.raises(ConfigError, match="BASE_URL must be https when INTERVIEWS_ENV=production"):
        settings_from_env({**PRODUCTION, "BASE_URL": "http://desk.example.com"}, tmp_path)
    with pytest.raises(ConfigError, match="PROXY_TERMINATES_TLS"):
        settings_from_env({**PRODUCTION, "BASE_URL": "http://desk.example.com"}, tmp_path)


def test_production_behind_a_tls_proxy_may_name_an_http_base_url_and_keeps_cookies_secure(
    tmp_path,
):
    settings = settings_from_env(
        {**PRODUCTION, "BASE_URL": "http://desk.internal:8000", "PROXY_TERMINATES_TLS": "true"},
        tmp_path,
    )
    assert settings["PROXY_TERMINATES_TLS"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


def test_production_sends_hsts_for_a_year_unless_told_otherwise(tmp_path):
    https = {**PRODUCTION, "BASE_URL": "https://desk.example.com"}
    assert settings_from_env(https, tmp_path)["HSTS_SECONDS"] == 365 * 24 * 3600
    assert settings_from_env({**https, "HSTS_SECONDS": "0"}, tmp_path)["HSTS_SECONDS"] == 0


def test_development_over_http_sends_no_hsts_and_no_secure_cookie(tmp_path):
    settings = settings_from_env({}, tmp_path)
    assert settings["HSTS_SECONDS"] == 0
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["PROXY_TERMINATES_TLS"] is False


def test_sessions_idle_out_after_a_week_and_end_after_thirty_days_by_default(tmp_path):
    settings = settings_from_env({}, tmp_path)
    assert settings["SESSION_IDLE_HOURS"] == 168
    assert settings["SESSION_LIFETIME_DAYS"] == 30
    changed = settings_from_env({"SESSION_IDLE_HOURS": "8", "SESSION_LIFETIME_DAYS": "1"}, tmp_path)
    assert (changed["SESSION_IDLE_HOURS"], changed["SESSION_LIFETIME_DAYS"]) == (8, 1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_IDLE_HOURS": "0"}, "SESSION_IDLE_HOURS must be at least 1"),
        ({"SESSION_LIFETIME_DAYS": "a month"}, "SESSION_LIFETIME_DAYS must be a whole number"),
        ({"HSTS_SECONDS": "-1"}, "HSTS_SECONDS must be at least 0"),
        ({"PROXY_TERMINATES_TLS": "perhaps"}, "PROXY_TERMINATES_TLS must be true or false"),
    ],
)
def test_malformed_session_and_tls_settings_are_refused(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env, tmp_path)


def test_generated_join_rooms_default_to_jitsi_meet_and_follow_the_setting(tmp_path):
    assert settings_from_env({}, tmp_path)["JOIN_ROOM_TEMPLATE"] == "https://meet.jit.si/{room}"
    own = "https://video.example.org/rooms/{room}?lang=en"
    assert (
        settings_from_env({"JOIN_ROOM_TEMPLATE": f" {own} "}, tmp_path)["JOIN_ROOM_TEMPLATE"] == own
    )


@pytest.mark.parametrize(
    "template",
    [
        "https://meet.jit.si/",  # no {room}: every interview would share one room
        "http://meet.example.com/{room}",  # not https
        "meet.jit.si/{room}",  # no scheme
        "https:///{room}",  # no server
        "https://meet example.com/{room}",  # a space: no message could send it as a link
        'https://meet.example.com/{room}"onclick',  # a character a link cannot have
        "https://meet.example.com/" + "x" * 480 + "/{room}",  # past 500 with its room
    ],
)
def test_a_join_room_template_that_cannot_make_a_link_is_refused(tmp_path, template):
    with pytest.raises(ConfigError, match="JOIN_ROOM_TEMPLATE must be an https address"):
        settings_from_env({"JOIN_ROOM_TEMPLATE": template}, tmp_path)
