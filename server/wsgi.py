"""WSGI entry point for production servers: ``gunicorn 'server.wsgi:app'`` (VERBUND_CONFIG)."""

from . import create_app

app = create_app()
