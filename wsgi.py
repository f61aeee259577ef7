"""WSGI entry point for gunicorn and other servers."""

from medpass import create_app

app = create_app()
