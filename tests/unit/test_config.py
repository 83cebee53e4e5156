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
