"""medpass: medication lists from the GP, the mental-health trust and the hospital, kept and compared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from medpass.config import Config


def create_app(config: Config | Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: the only wiring of configuration, database, blueprints and commands."""
    from medpass.cli import register_commands
    from medpass.db.session import make_engine, make_sessionmaker
    from medpass.domain.rate_limit import RateLimiter
    from medpass.services.clients import ClientCache
    from medpass.web import register_blueprints
    from medpass.web.errors import register_error_handlers

    if config is None:
        config = Config.from_env()
    elif not isinstance(config, Config):
        config = Config.from_env().with_overrides(config)
    app = Flask(__name__, instance_path=str(config.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = config.max_message_bytes
    engine = make_engine(config.database_url)
    app.extensions["medpass"] = {"config": config, "engine": engine, "sessions": make_sessionmaker(engine, immediate=True),
                                 "read_sessions": make_sessionmaker(engine),
                                 "rate_limiter": RateLimiter(config.rate_limit_per_minute), "client_cache": ClientCache()}
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app
