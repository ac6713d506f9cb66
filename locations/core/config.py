"""Configuration defaults; instance/secret_key, instance/config.py and the environment override them."""
import html
import os
import secrets
from typing import Optional
from urllib.parse import urlsplit

ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "TILE_PRESET",
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
    "MAIL_TIMEOUT_SECONDS",
    "MAIL_MAX_ATTEMPTS",
    "MAIL_RETRY_DAYS",
    "WORKER_POLL_SECONDS",
    "DAILY_JOBS_HOUR_JST",
    "INQUIRY_USER_RATE_LIMIT",
    "LOGIN_RATE_LIMIT",
    "SIGNUP_RATE_LIMIT",
    "PASSWORD_RESET_RATE_LIMIT",
    "TRUSTED_PROXY_HOPS",
    "SESSION_ABSOLUTE_HOURS",
    "SESSION_IDLE_MINUTES",
    "LOGIN_LOCKOUT_FAILURES",
    "LOGIN_LOCKOUT_MINUTES",
    "TOTP_REQUIRED_ROLES",
    "EXPORT_RATE_LIMIT",
    "PERMIT_PLAN_RATE_LIMIT",
    "INCENTIVE_ESTIMATE_RATE_LIMIT",
    "SEEDS_DIR",
    "SPATIAL_LAYERS_DIR",
    "SPATIAL_EXTRA_LAYERS",
    "EXPORT_PAGE_ROWS",
    "IMAGE_MAX_PIXELS",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "FILE_STORAGE",
)
INTEGER_KEYS = ("FRESHNESS_DAYS", "OVERUSE_THRESHOLD_DAYS", "OVERUSE_WINDOW_DAYS", "MAIL_PORT", "REMINDER_DAYS_BEFORE",
                "MAIL_TIMEOUT_SECONDS", "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_DAYS", "WORKER_POLL_SECONDS",
                "DAILY_JOBS_HOUR_JST", "TRUSTED_PROXY_HOPS", "SESSION_ABSOLUTE_HOURS", "SESSION_IDLE_MINUTES",
                "LOGIN_LOCKOUT_FAILURES", "LOGIN_LOCKOUT_MINUTES",
                "EXPORT_PAGE_ROWS", "IMAGE_MAX_PIXELS", "DB_POOL_SIZE", "DB_MAX_OVERFLOW")
# Comma-separated in the environment ("admin,authority"; empty for none).
LIST_KEYS = ("TOTP_REQUIRED_ROLES", "SPATIAL_EXTRA_LAYERS")


# The project's sourced seed data (seeds/ beside the package in a checkout).
DEFAULT_SEEDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "seeds")


class DefaultConfig:
    # None until configured: `flask setup` writes a random key to instance/secret_key, and outside
    # debug and tests the app refuses to start without a real one (see check_secret_key).
    SECRET_KEY = None
    SECRET_KEY_FALLBACKS: list = []
    # A relative SQLite path lands in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = "sqlite:///locations.db"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL connections per process (see gunicorn.conf.py): a sync gunicorn worker serves one request
    # at a time, and `serve` adds the mail worker's thread; the overflow covers a burst of threads. Each
    # process may open DB_POOL_SIZE + DB_MAX_OVERFLOW, so workers × that must stay below max_connections.
    DB_POOL_SIZE = 2
    DB_MAX_OVERFLOW = 4
    # Catalogue languages (Babel identifiers); the order is the language switch's.
    LANGUAGES = ("ja", "en", "zh_Hans", "zh_Hant", "ko")
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    # The map background: "osm" (OpenStreetMap's standard tiles), "gsi" (国土地理院の地理院タイル) or "none".
    # Every map also draws prefecture and municipal outlines from the app's own data, and falls back to them
    # alone when tiles fail to load. TILE_URL (with TILE_ATTRIBUTION) names another tile server; an empty
    # TILE_URL means no tiles at all (fully offline), as "none" does.
    TILE_PRESET = "osm"
    TILE_URL: Optional[str] = None
    TILE_ATTRIBUTION: Optional[str] = None
    # "offline" uses the built-in gazetteer of prefectures and municipalities; "nominatim" asks
    # OpenStreetMap's Nominatim first (rate-limited, cached) and falls back to the gazetteer.
    GEOCODER = "offline"
    GEOCODER_USER_AGENT = "locations-app"
    MAP_POINT_CAP = 500
    # Public JSON APIs, per client address.
    PERMIT_PLAN_RATE_LIMIT = "60 per minute"
    INCENTIVE_ESTIMATE_RATE_LIMIT = "60 per minute"
    # Where `flask seed` and `flask setup` read the sourced reference data.
    SEEDS_DIR = DEFAULT_SEEDS_DIR
    # The planner's spatial layers (default: SEEDS_DIR/layers), and extra GeoJSON layers whose licence must be
    # confirmed before they ship (C28 airport premises, 登録有形文化財): a list of paths, comma-separated in env.
    SPATIAL_LAYERS_DIR = None
    SPATIAL_EXTRA_LAYERS: list = []
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_PHOTO_BYTES = 10 * 1024 * 1024
    STEP_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    # Where uploaded photos and step documents are kept: "filesystem" (under the instance folder, for one
    # host or a folder all hosts mount) or "database" (the stored_file table: every host that shares the
    # database serves every file). `flask move-files --to …` moves existing files (core/file_storage.py).
    FILE_STORAGE = "filesystem"
    # The most pixels an uploaded image may decode to, read from its header first: a small PNG can
    # claim 40 Mpx and cost a worker hundreds of MB. JPEG photos up to 4× this decode at half scale.
    IMAGE_MAX_PIXELS = 16_000_000
    MAX_QUERY_STRING_BYTES = 4096
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # With a Secure cookie the app names it "__Host-session" (no Domain, Path=/), see create_app.
    SESSION_COOKIE_NAME = "session"
    # A session ends this long after sign-in however busy it is, or after this long unused.
    SESSION_ABSOLUTE_HOURS = 12
    SESSION_IDLE_MINUTES = 60
    # last_seen_at is written at most this often per session (not on every request).
    SESSION_TOUCH_SECONDS = 60
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto: 0 trusts none, so a
    # client cannot pick its own address; behind one proxy set 1, or every visitor shares its address.
    TRUSTED_PROXY_HOPS = 0
    # "memory://" counts per process (each gunicorn worker apart, lost on restart); a Redis URL such as
    # redis://127.0.0.1:6379/0 shares the counts between workers and keeps them across restarts.
    RATELIMIT_STORAGE_URI = "memory://"
    # If Redis stops answering, limits go on per process rather than failing the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Per client address; the per-account lockout below is kept in the database.
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    LOGIN_RATE_LIMITED = True
    # This many failed sign-ins for one email lock it for LOGIN_LOCKOUT_MINUTES, doubling with each
    # lockout (up to a day); failures older than the window are forgotten.
    LOGIN_LOCKOUT_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_FAILURE_WINDOW_MINUTES = 60
    SIGNUP_RATE_LIMIT = "5 per hour;20 per day"
    # Per client address, and separately per email asked for (so nobody floods one inbox).
    PASSWORD_RESET_RATE_LIMIT = "5 per hour;20 per day"
    PASSWORD_RESET_EMAIL_RATE_LIMIT = "3 per hour"
    VERIFY_RESEND_RATE_LIMIT = "3 per hour"
    EMAIL_VERIFY_HOURS = 48
    PASSWORD_RESET_MINUTES = 60
    # Inquiries sent without an account, per client address; signed-in users have a limit of their own.
    INQUIRY_RATE_LIMIT = "5 per hour;20 per day"
    INQUIRY_USER_RATE_LIMIT = "10 per hour;30 per day"
    # Roles that must sign in with a one-time code as well; they enrol right after their password.
    TOTP_REQUIRED_ROLES = ("admin", "authority")
    TOTP_ISSUER = "Japan Film Locations"
    # How long the code step may follow the password.
    TWO_STEP_PENDING_MINUTES = 5
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
    # The worker's SMTP timeout: a hung mail server delays only the worker, and only this long per try.
    MAIL_TIMEOUT_SECONDS = 10
    MAIL_MAX_ATTEMPTS = 8
    # Unsent mail older than this is not retried: a message about last month's deadline helps nobody.
    MAIL_RETRY_DAYS = 7
    # The worker looks at the outbox this often, and runs the daily jobs (reminders, freshness) once a
    # day in Japan, from this hour (JST) on.
    WORKER_POLL_SECONDS = 5
    DAILY_JOBS_HOUR_JST = 6
    # Links in emails and calendar feeds are made absolute with this.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # The daily reminders command warns this many days before a filing deadline.
    REMINDER_DAYS_BEFORE = 3
    LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
    JSON_SORT_KEYS = False


TILE_PRESETS = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
    # GSI's terms ask for the credit 「地理院タイル」 with a link to its list of tiles.
    "gsi": ("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
            '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'),
    "none": ("", ""),
}


def tile_source(config) -> tuple[str, str]:
    """The tile URL template and its attribution HTML ("" and "" for no tiles)."""
    url = config.get("TILE_URL")
    if url is not None:
        if not url:
            return "", ""
        # Tiles are always credited: without a configured credit, name their server.
        return url, config.get("TILE_ATTRIBUTION") or html.escape(urlsplit(url).netloc or url)
    preset_url, attribution = TILE_PRESETS.get(config.get("TILE_PRESET") or "osm", TILE_PRESETS["none"])
    return preset_url, config.get("TILE_ATTRIBUTION") or attribution


def from_environment(environ=os.environ) -> dict:
    """Settings named in the environment, with DATABASE_URL mapped to SQLAlchemy's key."""
    settings: dict = {key: environ[key] for key in ENV_KEYS if environ.get(key) is not None}
    if "SESSION_COOKIE_SECURE" in settings:
        settings["SESSION_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"].lower() not in ("0", "false", "no")
    for key in INTEGER_KEYS:
        if key in settings:
            settings[key] = int(settings[key])
    for key in LIST_KEYS:
        if key in settings:
            settings[key] = tuple(part.strip() for part in settings[key].split(",") if part.strip())
    if "MAIL_USE_TLS" in settings:
        settings["MAIL_USE_TLS"] = settings["MAIL_USE_TLS"].lower() in ("1", "true", "yes")
    url = settings.pop("DATABASE_URL", None)
    if url:
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    return settings


def engine_options(config) -> dict:
    """SQLAlchemy's engine options: the configured ones, plus the pool size on a server database."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options.setdefault("pool_size", int(config["DB_POOL_SIZE"]))
        options.setdefault("max_overflow", int(config["DB_MAX_OVERFLOW"]))
        # A request waits this long for a connection before it fails with a 500 rather than hanging.
        options.setdefault("pool_timeout", 10)
        # Connections a firewall or PgBouncer may have dropped quietly are replaced.
        options.setdefault("pool_recycle", 1800)
    return options


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
