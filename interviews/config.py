"""Settings, read from the environment in one place.

Nothing else in the code base reads ``os.environ``: ``create_app`` calls
``settings_from_env`` and every other module reads ``app.config``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from interviews.addresses import LinkUse, problem_with

DEVELOPMENT = "development"
PRODUCTION = "production"
PRODUCT_NAME = "Interview Desk"
# Every interview of a study that generates its join link gets a Jitsi Meet room of its own.
DEFAULT_JOIN_ROOM_TEMPLATE = "https://meet.jit.si/{room}"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def parse_int(name: str, raw: str | None, default: int, minimum: int = 0) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: Path) -> str:
    """A development secret generated once and kept, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


DEFAULT_PORT = 5000
# A server bound to every interface is opened on this machine as 127.0.0.1.
_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def serving_address() -> tuple[str, int] | None:
    """(host, port) when this process is the development server (`interviews run`,
    `flask run`) building its app, else None. The command line is read here, with the
    environment, so that nothing deeper needs to know how the app was started."""
    context = click.get_current_context(silent=True)
    if context is None or context.command.name != "run":
        return None
    port = context.params.get("port")
    if not isinstance(port, int):
        return None
    return str(context.params.get("host") or ""), port


def development_origin(env: Mapping[str, str], dev_server: tuple[str, int] | None) -> str:
    """The origin links use in development when BASE_URL is not set: the running server's
    host and port, else http://127.0.0.1:$PORT (PORT defaults to 5000)."""
    if dev_server is not None:
        host, port = dev_server
    else:
        host, port = "", parse_int("PORT", env.get("PORT"), DEFAULT_PORT, minimum=1)
    host = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def settings_from_env(
    env: Mapping[str, str],
    instance_path: Path,
    overrides: Mapping[str, Any] | None = None,
    dev_server: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Build the Flask config from environment variables, then apply ``overrides``.

    ``dev_server``: where the development server listens (see ``serving_address``);
    links follow it when BASE_URL is not set.

    Raises ConfigError when a setting is malformed, or when production runs
    without a SECRET_KEY or a BASE_URL.
    """
    overrides = dict(overrides or {})

    def get(name: str) -> str | None:
        # An override (tests, embedding) wins over the environment.
        if name in overrides:
            value = overrides[name]
            return None if value is None else str(value)
        return env.get(name)

    app_env = (get("INTERVIEWS_ENV") or DEVELOPMENT).strip().lower()
    if app_env not in (DEVELOPMENT, PRODUCTION):
        raise ConfigError(f"INTERVIEWS_ENV must be development or production, not {app_env!r}")
    production = app_env == PRODUCTION

    secret_key = get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is required when INTERVIEWS_ENV=production. "
                'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        secret_key = _instance_secret(instance_path)

    database_url = normalise_database_url(
        get("DATABASE_URL") or f"sqlite:///{instance_path / 'interviews.sqlite3'}"
    )
    given_base_url = (get("BASE_URL") or "").strip()
    if production and not given_base_url:
        raise ConfigError(
            "BASE_URL is required when INTERVIEWS_ENV=production: it is the address people "
            "open, and every link in emails, invites and shares starts with it. "
            "Set it to your public origin, e.g. BASE_URL=https://desk.example.com"
        )
    # Development without BASE_URL: links lead where this process serves (`interviews run
    # --port P`, `make run PORT=P`), so a second instance on another port links to itself.
    base_url = (given_base_url or development_origin(env, dev_server)).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"BASE_URL must be an http(s) origin such as https://desk.example.com, not {base_url!r}"
        )

    mail_backend = (get("MAIL_BACKEND") or "mailbox").strip().lower()
    if mail_backend not in ("mailbox", "smtp"):
        raise ConfigError(f"MAIL_BACKEND must be mailbox or smtp, not {mail_backend!r}")
    mail_use_tls = parse_bool("MAIL_USE_TLS", get("MAIL_USE_TLS"), False)
    mail_use_ssl = parse_bool("MAIL_USE_SSL", get("MAIL_USE_SSL"), False)
    if mail_use_tls and mail_use_ssl:
        raise ConfigError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL, not both")

    # A private CA for the mail server's certificate: verification stays on, against it.
    mail_tls_ca_file = get("MAIL_TLS_CA_FILE") or None
    if mail_tls_ca_file and not Path(mail_tls_ca_file).is_file():
        raise ConfigError(
            f"MAIL_TLS_CA_FILE must be a PEM file of CA certificates; {mail_tls_ca_file!r} is not a file"
        )

    # Behind a reverse proxy that terminates TLS on an internal http hop, production may
    # name an http BASE_URL; otherwise production must be served over https.
    proxy_terminates_tls = parse_bool("PROXY_TERMINATES_TLS", get("PROXY_TERMINATES_TLS"), False)
    if production and parts.scheme != "https" and not proxy_terminates_tls:
        raise ConfigError(
            f"BASE_URL must be https when INTERVIEWS_ENV=production, not {base_url!r}; "
            "set PROXY_TERMINATES_TLS=true if a reverse proxy in front serves it over https"
        )
    # Session cookies only ever travel over TLS in production, whatever BASE_URL says.
    secure_cookies = production or parts.scheme == "https"

    redis_url = get("REDIS_URL") or None

    join_room_template = (get("JOIN_ROOM_TEMPLATE") or DEFAULT_JOIN_ROOM_TEMPLATE).strip()
    # A room as scheduling.links makes them: the address must be one every message may
    # send as a link, or interviews would quietly go out without one.
    a_room = join_room_template.replace("{room}", "interview-" + "a" * 24)
    template_parts = urlsplit(a_room)
    if (
        "{room}" not in join_room_template
        or template_parts.scheme != "https"
        or not template_parts.netloc
        or problem_with(a_room, LinkUse.WEB)
    ):
        raise ConfigError(
            "JOIN_ROOM_TEMPLATE must be an https address with {room} in it, such as "
            f"{DEFAULT_JOIN_ROOM_TEMPLATE}, not {join_room_template!r}"
        )
    # Old keys whose sessions and sealed secrets (CalDAV passwords) still open: rotate
    # SECRET_KEY by moving the old one here (comma-separated), then `interviews calendars
    # rekey` seals every password under the new key.
    secret_key_fallbacks = [
        key.strip() for key in (get("SECRET_KEY_FALLBACKS") or "").split(",") if key.strip()
    ]

    settings: dict[str, Any] = {
        "INTERVIEWS_ENV": app_env,
        "PRODUCTION": production,
        "SECRET_KEY": secret_key,
        "SECRET_KEY_FALLBACKS": secret_key_fallbacks,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": parts.scheme,
        "PRODUCT_NAME": PRODUCT_NAME,
        "MAIL_BACKEND": mail_backend,
        "MAIL_SERVER": get("MAIL_SERVER") or "localhost",
        "MAIL_PORT": parse_int("MAIL_PORT", get("MAIL_PORT"), 465 if mail_use_ssl else 25),
        "MAIL_USE_TLS": mail_use_tls,
        "MAIL_USE_SSL": mail_use_ssl,
        "MAIL_USERNAME": get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": get("MAIL_DEFAULT_SENDER")
        or f"desk@{parts.hostname or 'localhost'}",
        "MAIL_TIMEOUT": parse_int("MAIL_TIMEOUT", get("MAIL_TIMEOUT"), 20),
        "MAIL_TLS_CA_FILE": mail_tls_ca_file,
        # Domains the mail server may send as (your own, with SPF/DKIM for it): a host at
        # one of them sends interview messages from their own address.
        "MAIL_SENDER_DOMAINS": frozenset(
            d.strip().lower() for d in (get("MAIL_SENDER_DOMAINS") or "").split(",") if d.strip()
        ),
        # How many reverse proxies sit in front (their X-Forwarded-* headers are then
        # trusted): rate limits and logs need the visitor's address, not the proxy's.
        "TRUSTED_PROXIES": parse_int("TRUSTED_PROXIES", get("TRUSTED_PROXIES"), 0),
        "RATELIMIT_ENABLED": parse_bool("RATELIMIT_ENABLED", get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": get("RATELIMIT_KEY_PREFIX") or "interviews",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must not take logging in down with it: limits are then counted in
        # this process until Redis answers again, and a storage error is logged, not a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Seconds; an unreachable Redis costs a request this much, not the OS's TCP timeout.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "RATELIMIT_LOGIN": get("RATELIMIT_LOGIN") or "10 per minute;50 per hour",
        "RATELIMIT_PUBLIC": get("RATELIMIT_PUBLIC") or "60 per minute",
        "RQ_QUEUE_NAME": get("RQ_QUEUE_NAME") or "interviews",
        # Hosts' busy calendars: how often each is read again, and how long one may take.
        "BUSY_REFRESH_MINUTES": parse_int(
            "BUSY_REFRESH_MINUTES", get("BUSY_REFRESH_MINUTES"), 15, minimum=1
        ),
        "BUSY_FEED_TIMEOUT": parse_int(
            "BUSY_FEED_TIMEOUT", get("BUSY_FEED_TIMEOUT"), 10, minimum=1
        ),
        # CalDAV calendars are read live: busy time at most this many seconds old blocks
        # slots, and a read gives up after CALDAV_TIMEOUT seconds (the last good copy then
        # blocks, and the host sees the error). Writes of interviews into a calendar are
        # retried for about a day (CALENDAR_WRITE_MAX_ATTEMPTS, doubling waits from
        # MESSAGE_RETRY_SECONDS up to MESSAGE_RETRY_MAX_SECONDS).
        "CALDAV_FRESH_SECONDS": parse_int(
            "CALDAV_FRESH_SECONDS", get("CALDAV_FRESH_SECONDS"), 60, minimum=0
        ),
        "CALDAV_TIMEOUT": parse_int("CALDAV_TIMEOUT", get("CALDAV_TIMEOUT"), 5, minimum=1),
        "CALENDAR_WRITE_MAX_ATTEMPTS": parse_int(
            "CALENDAR_WRITE_MAX_ATTEMPTS", get("CALENDAR_WRITE_MAX_ATTEMPTS"), 100, minimum=1
        ),
        # A room of its own for every interview of a study whose join link is "generated":
        # {room} becomes an unguessable name. Any https address with {room} works (a
        # self-hosted Jitsi, a Whereby or Daily room address pattern...).
        "JOIN_ROOM_TEMPLATE": join_room_template,
        # Every email (interview messages and the app's own): attempts before one is marked
        # failed, the first retry's wait (doubling after), and how long a hand-off to a
        # worker and a worker's send may take before the row is due again.
        # The defaults keep trying for about four hours (30 s doubling to 15 minutes, 20
        # tries): a mail server down for an afternoon loses nothing. Every email follows
        # these, whatever its kind.
        "MESSAGE_MAX_ATTEMPTS": parse_int(
            "MESSAGE_MAX_ATTEMPTS", get("MESSAGE_MAX_ATTEMPTS"), 20, minimum=1
        ),
        "MESSAGE_RETRY_SECONDS": parse_int(
            "MESSAGE_RETRY_SECONDS", get("MESSAGE_RETRY_SECONDS"), 30, minimum=1
        ),
        "MESSAGE_RETRY_MAX_SECONDS": parse_int(
            "MESSAGE_RETRY_MAX_SECONDS", get("MESSAGE_RETRY_MAX_SECONDS"), 900, minimum=1
        ),
        "MESSAGE_QUEUE_LEASE_SECONDS": parse_int(
            "MESSAGE_QUEUE_LEASE_SECONDS", get("MESSAGE_QUEUE_LEASE_SECONDS"), 300, minimum=1
        ),
        "MESSAGE_SEND_LEASE_SECONDS": parse_int(
            "MESSAGE_SEND_LEASE_SECONDS", get("MESSAGE_SEND_LEASE_SECONDS"), 120, minimum=1
        ),
        # Seconds a reminder may go out before its time, so a burst due at one instant
        # drains before it, not after; never more than a tenth of the reminder's offset
        # (a 10-minute reminder goes at most a minute early).
        "REMINDER_LEAD_SECONDS": parse_int(
            "REMINDER_LEAD_SECONDS", get("REMINDER_LEAD_SECONDS"), 300, minimum=0
        ),
        # Seconds between dispatcher sweeps (rq cron, or the web process's own thread when
        # there is no REDIS_URL); 0 runs no thread (sweep with `interviews dispatch`).
        "SWEEP_SECONDS": parse_int("SWEEP_SECONDS", get("SWEEP_SECONDS"), 5),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PROXY_TERMINATES_TLS": proxy_terminates_tls,
        # Strict-Transport-Security max-age in production (0 sends none).
        "HSTS_SECONDS": parse_int(
            "HSTS_SECONDS", get("HSTS_SECONDS"), 365 * 24 * 3600 if production else 0
        ),
        # A signed-in session ends after this many hours without a request, and after this
        # many days whatever happens (the person signs in again).
        "SESSION_IDLE_HOURS": parse_int(
            "SESSION_IDLE_HOURS", get("SESSION_IDLE_HOURS"), 7 * 24, minimum=1
        ),
        "SESSION_LIFETIME_DAYS": parse_int(
            "SESSION_LIFETIME_DAYS", get("SESSION_LIFETIME_DAYS"), 30, minimum=1
        ),
        # Busy-calendar addresses on loopback, private or link-local networks are refused
        # (the server would fetch them: SSRF) unless this is set (development, the demo).
        "BUSY_FEED_ALLOW_PRIVATE": parse_bool(
            "BUSY_FEED_ALLOW_PRIVATE", get("BUSY_FEED_ALLOW_PRIVATE"), False
        ),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SCHEMA_CHECK": True,
        # The largest request body: a participant CSV is at most 5 MB. Larger requests get
        # 413 before anything (CSRF included) reads them into memory.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # The largest transcript file: a two-hour call's WebVTT is a few hundred KB.
        "TRANSCRIPT_MAX_BYTES": 5 * 1024 * 1024,
        "INVITE_TTL_DAYS": 14,
        # How long a participant's personal booking link works.
        "PARTICIPANT_INVITE_DAYS": parse_int(
            "PARTICIPANT_INVITE_DAYS", get("PARTICIPANT_INVITE_DAYS"), 30, minimum=1
        ),
        "PASSWORD_RESET_TTL_MINUTES": 60,
        # An owed reward not sent within this many days is overdue in the payout queue.
        "REWARD_OVERDUE_DAYS": parse_int(
            "REWARD_OVERDUE_DAYS", get("REWARD_OVERDUE_DAYS"), 3, minimum=0
        ),
    }
    # Overrides may set keys the environment does not know (TESTING, WTF_CSRF_ENABLED...).
    for key, value in overrides.items():
        if key in (
            "INTERVIEWS_ENV",
            "SECRET_KEY",
            "BASE_URL",
            "MAIL_BACKEND",
            "REDIS_URL",
            "MAIL_SENDER_DOMAINS",
        ):
            continue  # already folded in above, validated
        if key == "DATABASE_URL":
            continue
        settings[key] = value
    if "REDIS_URL" in overrides and "RATELIMIT_STORAGE_URI" not in overrides:
        settings["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    return settings
