"""The client's address, the same for the audit trail and for login lockout (django-axes)."""
from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR; the first X-Forwarded-For hop only when a trusted proxy sets it (BEHIND_TLS_PROXY)."""
    meta = getattr(request, "META", {}) or {}
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:45]
    return (meta.get("REMOTE_ADDR") or "")[:45]
