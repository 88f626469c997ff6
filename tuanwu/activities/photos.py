"""Activity photos: type and size limits, and a re-encode that drops EXIF (with any GPS location)
before anything is stored. Files live under ``MEDIA_ROOT/activities/`` with random names and are
served only by ``activities:photo`` through the access layer."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from tuanwu.core.errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560  # larger photos are scaled down: a phone photo of an activity needs no more
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "activities"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def clean_image(data: bytes) -> tuple[bytes, str, int, int]:
    """Check and re-encode an uploaded image: (bytes without metadata, content type, width, height)."""
    if len(data) > MAX_BYTES:
        raise DomainError(f"照片不能超过 {MAX_BYTES // (1024 * 1024)} MB", field="photo")
    try:
        probe = Image.open(io.BytesIO(data))
        kind = probe.format
        if kind not in ALLOWED_FORMATS:
            raise DomainError("只能上传 JPEG、PNG 或 WebP 格式的照片", field="photo")
        if probe.width * probe.height > MAX_PIXELS:
            raise DomainError("照片像素过大", field="photo")
        probe.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError("无法识别的图片文件，请上传 JPEG、PNG 或 WebP 格式的照片", field="photo") from None
    # Apply the EXIF orientation to the pixels, then write a fresh file: no EXIF, no GPS, no XMP.
    image = ImageOps.exif_transpose(probe)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue(), ALLOWED_FORMATS[kind], image.width, image.height


def store(data: bytes, content_type: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[content_type]
    name = f"{secrets.token_hex(16)}.{ext}"
    path = storage_dir() / name
    with open(path, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)
    return name


def path_of(stored_name: str) -> Path:
    return storage_dir() / stored_name
