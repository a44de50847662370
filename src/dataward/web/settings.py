"""The Django settings the web UI adds: middleware, templates, static files, security headers."""

from __future__ import annotations

import os
from typing import Any

THIRD_PARTY_APPS = [
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "ninja",
    "mozilla_django_oidc",
    "dataward.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dataward.web.middleware.WorkspaceMiddleware",
    "axes.middleware.AxesMiddleware",
]

SELF = "'self'"
CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}


def web_settings(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the web settings; DATAWARD_WEB_* variables adjust them for a deployment."""
    env = dict(os.environ if env is None else env)
    hosts = [h for h in env.get("DATAWARD_WEB_ALLOWED_HOSTS", "").split(",") if h]
    insecure = env.get("DATAWARD_WEB_INSECURE_COOKIES") == "1"
    return {
        "ROOT_URLCONF": "dataward.web.urls",
        "MIDDLEWARE": MIDDLEWARE,
        "ALLOWED_HOSTS": hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"],
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.csrf",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "dataward.web.nav.context",
                    ]
                },
            }
        ],
        "STATIC_URL": "/static/",
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "WHITENOISE_USE_FINDERS": True,
        "WHITENOISE_AUTOREFRESH": False,
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
            "dataward.web.auth.oidc.DatawardOIDCBackend",  # inert unless DATAWARD_OIDC_ISSUER
        ],
        "LOGIN_URL": "/login/",
        "LOGIN_REDIRECT_URL": "/",
        "SESSION_COOKIE_SECURE": not insecure,
        "CSRF_COOKIE_SECURE": not insecure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "CSRF_TRUSTED_ORIGINS": [
            o for o in env.get("DATAWARD_WEB_TRUSTED_ORIGINS", "").split(",") if o
        ],
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SECURE_HSTS_SECONDS": 0 if insecure else 31536000,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")
        if env.get("DATAWARD_WEB_BEHIND_PROXY") == "1"
        else None,
        "X_FRAME_OPTIONS": "DENY",
        "CONTENT_SECURITY_POLICY": CSP,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_TIME": 0.25,  # hours: 15 minutes
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_VERBOSE": False,
        "AXES_LOCKOUT_TEMPLATE": "web/locked_out.html",
        "AXES_CLIENT_IP_CALLABLE": "dataward.web.auth.lockout.client_ip",
        "DATAWARD_TRUST_X_REAL_IP": env.get("DATAWARD_WEB_BEHIND_PROXY") == "1",
        "OTP_TOTP_ISSUER": "dataward",
        "MESSAGE_STORAGE": "django.contrib.messages.storage.session.SessionStorage",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
        **oidc_settings(env),
    }


def oidc_settings(env: dict[str, str]) -> dict[str, Any]:
    """Return mozilla-django-oidc's settings from DATAWARD_OIDC_* variables (off when unset)."""
    issuer = env.get("DATAWARD_OIDC_ISSUER", "").rstrip("/")
    return {
        "DATAWARD_OIDC_ENABLED": bool(issuer),
        "DATAWARD_OIDC_ISSUER": issuer,
        "DATAWARD_OIDC_USERNAME_CLAIM": env.get("DATAWARD_OIDC_USERNAME_CLAIM", ""),
        "OIDC_RP_CLIENT_ID": env.get("DATAWARD_OIDC_CLIENT_ID", ""),
        "OIDC_RP_CLIENT_SECRET": env.get("DATAWARD_OIDC_CLIENT_SECRET", ""),
        "OIDC_RP_SIGN_ALGO": env.get("DATAWARD_OIDC_SIGN_ALGO", "RS256"),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env.get("DATAWARD_OIDC_AUTHORIZATION_ENDPOINT", ""),
        "OIDC_OP_TOKEN_ENDPOINT": env.get("DATAWARD_OIDC_TOKEN_ENDPOINT", ""),
        "OIDC_OP_USER_ENDPOINT": env.get("DATAWARD_OIDC_USERINFO_ENDPOINT", ""),
        "OIDC_OP_JWKS_ENDPOINT": env.get("DATAWARD_OIDC_JWKS_ENDPOINT", ""),
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_CREATE_USER": False,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": 10,
        "OIDC_AUTHENTICATE_CLASS": "dataward.web.auth.oidc.StartView",
        "OIDC_CALLBACK_CLASS": "dataward.web.auth.oidc.CallbackView",
        "AXES_WHITELIST_CALLABLE": "dataward.web.auth.oidc.not_a_password_guess",
        "LOGOUT_REDIRECT_URL": "/login/",
    }
