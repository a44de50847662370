"""Decide who needs a second factor and manage their TOTP devices (django-otp)."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

MFA_ROLES = frozenset({"admin", "analyst"})
DEVICE_NAME = "authenticator app"


def needs_mfa(user: Any) -> bool:
    """Return True when the user must pass TOTP: admins, analysts, and anyone who enrolled."""
    if getattr(user, "role", None) in MFA_ROLES:
        return True
    return has_device(user)


def is_verified(user: Any) -> bool:
    """Return True when this session passed a second factor (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def has_device(user: Any) -> bool:
    """Return True when the user has a confirmed TOTP device."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def enrolled_user_ids() -> set[int]:
    """Return the ids of users with a confirmed TOTP device, in one query (for user lists)."""
    return set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))


def pending_device(user: Any) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, creating one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def verify(user: Any, token: str) -> TOTPDevice | None:
    """Return the confirmed device that accepts this code (throttled by django-otp), or None."""
    token = token.strip().replace(" ", "")
    if not token.isdigit():
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


def throttled(user: Any, pending: TOTPDevice | None) -> bool:
    """Return True when django-otp makes the user wait after wrong codes (doubling delays)."""
    devices = [pending] if pending is not None else list(devices_for_user(user, confirmed=True))
    return any(not d.verify_is_allowed()[0] for d in devices)


def confirm(device: TOTPDevice, token: str) -> bool:
    """Confirm a pending device when the code from the app matches it."""
    token = token.strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


def qr_svg(device: TOTPDevice) -> str:
    """Return the device's otpauth:// URI as an inline SVG QR code (no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


def reset(user: Any) -> int:
    """Remove every TOTP device of the user (an admin action); return how many."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    return int(count)
