"""HTTP hardening of every response: CSP, HSTS, cookies, and the optional reverse proxy.

* Content-Security-Policy: scripts, styles, fonts and requests only from this server; no
  inline scripts or styles (neither ours nor flask-admin's base templates use any); no
  framing (``frame-ancestors 'none'``, and X-Frame-Options for old browsers).
* HSTS only when the request came over HTTPS: over plain HTTP (a laptop demo) it would be
  ignored, and sending it there teaches nothing.
* The session cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request
  came over HTTPS. ``X-Forwarded-Proto``/``-For`` are believed only with
  ``[security] trust_proxy = true`` (one proxy in front); otherwise anybody could claim HTTPS
  or forge the address written to the audit log.
* Pages and JSON answers for a logged-in person or an API token are never cached.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from ..runtime import current_runtime

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie gets ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_security(app: Flask) -> None:
    """Install the proxy handling, the cookie policy and the response headers on ``app``."""
    settings = current_runtime(app).settings
    security = settings.section("security")
    if security.get("trust_proxy"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    app.session_interface = SessionCookies()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    hsts = int(security.get("hsts_seconds", 31536000))

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure and hsts > 0:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        if g.get("user") is not None and not request.path.startswith("/static/"):
            # anything a logged-in person or a token sees may show social data
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
