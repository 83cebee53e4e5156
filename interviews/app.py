"""The application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, g, jsonify, make_response, render_template, request, session
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from interviews import addresses, commands, dispatcher, web
from interviews.accounts import service as accounts_service
from interviews.api.public import bp as public_api_bp
from interviews.api.views import bp as api_bp
from interviews.config import serving_address, settings_from_env
from interviews.db import MAX_ID, check_schema_current, db
from interviews.errors import DomainError
from interviews.extensions import csrf, limiter, login_manager, migrate
from interviews.message_plan import describe_offset
from interviews.storable_text import guard as refuse_unstorable_text
from interviews.web.accounts import views as accounts_views
from interviews.web.accounts.views import bp as accounts_bp
from interviews.web.compensation.views import bp as rewards_bp
from interviews.web.home import views as home_views
from interviews.web.mail.views import bp as mail_bp
from interviews.web.maps.outreach_views import bp as outreach_bp
from interviews.web.maps.roadmap_views import bp as roadmaps_bp
from interviews.web.maps.share_views import bp as shares_bp
from interviews.web.maps.views import bp as maps_bp
from interviews.web.notes.template_views import bp as templates_bp
from interviews.web.notes.views import bp as notes_bp
from interviews.web.participants.import_views import bp as participant_imports_bp
from interviews.web.participants.privacy_views import bp as privacy_bp
from interviews.web.participants.views import bp as participants_bp
from interviews.web.reports.views import bp as reports_bp
from interviews.web.scheduling.hours_views import bp as availability_bp
from interviews.web.scheduling.team_views import bp as agenda_bp
from interviews.web.scheduling.views import bp as booking_bp
from interviews.web.studies.views import bp as studies_bp

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """templates/ and migrations/ sit at the repository top; a wheel carries them in the package."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name}/ folder next to {PACKAGE_DIR}")


TEMPLATES_DIR = _resource_dir("templates")
MIGRATIONS_DIR = _resource_dir("migrations")


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number no bigger than a database id.

    A bigger number names nothing, so it answers 404 like any unknown id instead of
    reaching the database driver and overflowing there (a 500).
    """

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding any setting.

    Refuses to start (SchemaBehindError) when the database has not been migrated,
    except for CLI commands such as ``interviews db upgrade`` that fix exactly that.
    """
    config = dict(config or {})
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=config.pop("INSTANCE_PATH", None),
        instance_relative_config=True,
    )
    app.config.update(
        settings_from_env(os.environ, Path(app.instance_path), config, serving_address())
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"

    # The home reads every area, so it lives above them; it keeps the endpoint name
    # that every url_for("accounts.home") uses.
    app.add_url_rule("/", endpoint="accounts.home", view_func=home_views.home)
    app.register_blueprint(home_views.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(studies_bp)
    app.register_blueprint(notes_bp)
    app.register_blueprint(templates_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(participant_imports_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(rewards_bp)
    app.register_blueprint(maps_bp)
    app.register_blueprint(availability_bp)
    app.register_blueprint(roadmaps_bp)
    app.register_blueprint(outreach_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(shares_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(public_api_bp)
    # The API authenticates with bearer tokens or link tokens, never cookies: no CSRF.
    csrf.exempt(api_bp)
    csrf.exempt(public_api_bp)

    _register_request_hooks(app)
    # After load_member, so a refusal page still shows who is logged in.
    app.before_request(refuse_unstorable_text)
    _register_error_handlers(app)
    _register_template_helpers(app)
    commands.register(app)

    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )

    if app.config["SCHEMA_CHECK"] and _serving():
        with app.app_context():
            check_schema_current(db.engine, MIGRATIONS_DIR)
    # Embedded mode: no Redis, so no rq cron; this process sweeps for what is due.
    if (
        _serving()
        and not app.testing
        and not app.config["REDIS_URL"]
        and app.config["SWEEP_SECONDS"]
    ):
        dispatcher.Sweeper(app).start()
    return app


def _serving() -> bool:
    """True when this process will serve requests: a WSGI server, or `flask run`.

    Other CLI commands (db upgrade, demo) must load the app on a stale schema.
    """
    ctx = click.get_current_context(silent=True)
    return ctx is None or (ctx.command is not None and ctx.command.name == "run")


@login_manager.user_loader
def _load_user(session_secret: str):
    return accounts_views.browser_user(session_secret)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def load_member() -> None:
        g.member = None
        if request.blueprint == "api" or request.endpoint == "static":
            return
        if current_user.is_authenticated:
            g.member = accounts_service.current_member(current_user.id, session.get("workspace_id"))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["HSTS_SECONDS"]:
            # Browsers keep to https for this long, so a cookie never goes out in clear.
            response.headers.setdefault(
                "Strict-Transport-Security",
                f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains",
            )
        if response.mimetype == "text/html":
            # Everything the pages load comes from this server: no external requests.
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
            )
        return response


def _wants_json() -> bool:
    # A JSON body (the notes autosave posts one to a page's address) gets a JSON answer.
    return request.path.startswith("/api/") or request.is_json


def _error_response(status: int, code: str, message: str, headers: Any = None):
    if _wants_json():
        response = jsonify(error={"code": code, "message": message})
    else:
        template = (
            f"errors/{status}.html"
            if status in (400, 403, 404, 410, 429)
            else "errors/generic.html"
        )
        response = make_response(render_template(template, status=status, message=message))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}

_DEFAULT_MESSAGES = {
    404: "There is nothing at this address, or it belongs to another workspace.",
    405: "This address does not take that method.",
    429: "Too many attempts. Wait a minute and try again.",
}


def _too_large_message(limit: int) -> str:
    """What a request past MAX_CONTENT_LENGTH is told: nothing of it was read, so no form
    can come back as typed; the limit, and what to do."""
    size = f"{limit / 1_048_576:.0f} MB" if limit >= 1_048_576 else f"{limit / 1024:.0f} kB"
    return (
        f"This was more than the server takes at once: a request can carry at most {size}, "
        "and nothing of it was read or saved. Go back and choose a smaller file (a "
        "transcript or a CSV of people can be up to 5 MB)."
    )


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
        return _error_response(error.status_code, error.code, error.message, headers)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _error_response(
            400,
            "csrf_failed",
            "This form expired or was sent from somewhere else. Go back, reload the page and try again.",
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        return _error_response(429, "rate_limited", _DEFAULT_MESSAGES[429], {"Retry-After": "60"})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = (
            _DEFAULT_MESSAGES.get(status) if error.description == type(error).description else None
        )
        if status == 413 and message is None:
            message = _too_large_message(app.config["MAX_CONTENT_LENGTH"])
        message = message or error.description or "Something is wrong with this request."
        headers = {
            k: v for k, v in error.get_response().headers.items() if k in ("Allow", "Retry-After")
        }
        return _error_response(status, _HTTP_CODES.get(status, "error"), message, headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(
            500, "server_error", "Something went wrong on our side. It has been logged."
        )


def _register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def layout_context() -> dict[str, Any]:
        member = g.get("member")
        workspaces = accounts_service.workspaces_of(member.user_id) if member else []
        return {
            "member": member,
            "workspaces": workspaces,
            "product_name": app.config["PRODUCT_NAME"],
            "show_mailbox": not app.config["PRODUCTION"]
            and app.config["MAIL_BACKEND"] == "mailbox",
        }

    # The error summary at the top of every form that failed (templates/_macros.html).
    app.add_template_global(web.form_errors, "form_errors")
    app.add_template_global(web.field_messages, "field_messages")
    app.add_template_global(web.page_failed, "page_failed")

    @app.template_global("zone")
    def zone(name: str) -> ZoneInfo:
        return ZoneInfo(name)

    @app.template_filter("offset")
    def format_offset(minutes: int) -> str:
        return describe_offset(minutes)

    @app.template_filter("date")
    def format_date(value) -> str:
        return value.strftime("%-d %b %Y") if value else ""

    @app.template_filter("datetime")
    def format_datetime(value) -> str:
        return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""

    # Every typed address goes into an href through these: an older row holding
    # javascript: (or anything but http(s)) gives None, and is not rendered as a link.
    app.add_template_filter(addresses.web_link, "web_link")
    app.add_template_filter(addresses.tel_link, "tel_link")
