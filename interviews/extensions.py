"""Flask extensions, created unbound and initialised in create_app."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect


class AppLimiter(Limiter):
    """Flask-Limiter's Limiter, configured afresh by each app it is bound to.

    The views' limits are declared on this one module-level object, so every app a
    process builds binds to it. Flask-Limiter keeps the first app's
    RATELIMIT_KEY_PREFIX for good, and once its storage failed it stays on the
    in-memory fallback; without this, a later app (a test with its own Redis
    namespace, a second deployment in one process) would count its visitors under
    another app's keys, or not in its own storage at all. Storage and on/off are
    already re-read per app (the app built last decides for the process).
    """

    def init_app(self, app: Flask) -> None:
        self._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
        self._storage_dead = False  # a new storage is built below; it has not failed yet
        super().init_app(app)


login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
limiter = AppLimiter(key_func=get_remote_address)
