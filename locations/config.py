"""Configuration defaults; instance/secret_key, instance/config.py and the environment override them."""
import os
import secrets
from typing import Optional

ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "TILE_URL",
    "TILE_ATTRIBUTION",
    "GEOCODER",
    "GEOCODER_USER_AGENT",
    "SESSION_COOKIE_SECURE",
    "RATELIMIT_STORAGE_URI",
    "FRESHNESS_DAYS",
    "OVERUSE_THRESHOLD_DAYS",
    "OVERUSE_WINDOW_DAYS",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_FROM",
    "PUBLIC_BASE_URL",
    "REMINDER_DAYS_BEFORE",
    "INQUIRY_RATE_LIMIT",
    "EXPORT_RATE_LIMIT",
    "EXPORT_PAGE_ROWS",
    "IMAGE_MAX_PIXELS",
)
INTEGER_KEYS = ("FRESHNESS_DAYS", "OVERUSE_THRESHOLD_DAYS", "OVERUSE_WINDOW_DAYS", "MAIL_PORT", "REMINDER_DAYS_BEFORE",
                "EXPORT_PAGE_ROWS", "IMAGE_MAX_PIXELS")


class DefaultConfig:
    # None until configured: `flask setup` writes a random key to instance/secret_key, and outside
    # debug and tests the app refuses to start without a real one (see check_secret_key).
    SECRET_KEY = None
    SECRET_KEY_FALLBACKS: list = []
    # A relative SQLite path lands in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = "sqlite:///locations.db"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    LANGUAGES = ("ja", "en")
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    # OpenStreetMap's standard tiles; an empty TILE_URL draws the map with outlines only (fully offline).
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    TILE_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    # "offline" uses the built-in gazetteer of prefectures and municipalities; "nominatim" asks
    # OpenStreetMap's Nominatim first (rate-limited, cached) and falls back to the gazetteer.
    GEOCODER = "offline"
    GEOCODER_USER_AGENT = "locations-app"
    MAP_POINT_CAP = 500
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_PHOTO_BYTES = 10 * 1024 * 1024
    STEP_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    # The most pixels an uploaded image may decode to, read from its header first: a small PNG can
    # claim 40 Mpx and cost a worker hundreds of MB. JPEG photos up to 4× this decode at half scale.
    IMAGE_MAX_PIXELS = 16_000_000
    MAX_QUERY_STRING_BYTES = 4096
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    LOGIN_RATE_LIMITED = True
    # Inquiries sent without an account, per client address (signed-in producers are not limited).
    INQUIRY_RATE_LIMIT = "5 per hour;20 per day"
    # The library's CSV export (/api/locations?format=csv): rows per request (the rest by Link: rel=next)
    # and requests per client address without an account.
    EXPORT_PAGE_ROWS = 5000
    EXPORT_RATE_LIMIT = "20 per minute;300 per hour"
    FRESHNESS_DAYS = 180
    # A municipality with this many shoot days in the last OVERUSE_WINDOW_DAYS days is flagged as busy.
    OVERUSE_THRESHOLD_DAYS = 20
    OVERUSE_WINDOW_DAYS = 90
    # Email copies of notifications: an empty MAIL_SERVER turns email off (in-app notifications stay).
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "noreply@localhost"
    # Links in emails and calendar feeds are made absolute with this.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # The daily reminders command warns this many days before a filing deadline.
    REMINDER_DAYS_BEFORE = 3
    LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
    JSON_SORT_KEYS = False


def from_environment(environ=os.environ) -> dict:
    """Settings named in the environment, with DATABASE_URL mapped to SQLAlchemy's key."""
    settings: dict = {key: environ[key] for key in ENV_KEYS if environ.get(key) is not None}
    if "SESSION_COOKIE_SECURE" in settings:
        settings["SESSION_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"].lower() not in ("0", "false", "no")
    for key in INTEGER_KEYS:
        if key in settings:
            settings[key] = int(settings[key])
    if "MAIL_USE_TLS" in settings:
        settings["MAIL_USE_TLS"] = settings["MAIL_USE_TLS"].lower() in ("1", "true", "yes")
    url = settings.pop("DATABASE_URL", None)
    if url:
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    return settings


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs (as hosting platforms hand them out) at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# The key this project once shipped as its default: anyone could sign sessions with it.
PUBLISHED_KEYS = ("dev-only-change-me",)
MIN_SECRET_KEY_LENGTH = 16
SECRET_KEY_FILE = "secret_key"


def weak_secret_key(key: Optional[str]) -> bool:
    return not key or key in PUBLISHED_KEYS or len(key) < MIN_SECRET_KEY_LENGTH


def read_secret_key_file(instance_path: str) -> dict:
    """SECRET_KEY (first line) and SECRET_KEY_FALLBACKS (the older keys after it) from instance/secret_key."""
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    try:
        with open(path, encoding="ascii") as handle:
            keys = [line.strip() for line in handle if line.strip()]
    except FileNotFoundError:
        return {}
    return {"SECRET_KEY": keys[0], "SECRET_KEY_FALLBACKS": keys[1:]} if keys else {}


def write_secret_key_file(instance_path: str, keep_previous: Optional[str] = None) -> str:
    """A new random key in instance/secret_key (mode 0600); ``keep_previous`` stays valid as a fallback."""
    os.makedirs(instance_path, exist_ok=True)
    key = secrets.token_hex(32)
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    lines = [key] + ([keep_previous] if keep_previous else [])
    temporary = f"{path}.new"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return key
