"""Settings: one class, read from the environment (OTKLIK_ prefix), passed in — never a global."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about one otklik installation."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./otklik.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://…",
    )
    broker_url: str | None = Field(
        default=None, description="Celery broker (redis://… or amqp://…); unset = embedded mode"
    )
    secret_key: str = Field(
        default="change-me-in-production", description="Signs session cookies and CSRF tokens"
    )
    data_dir: Path = Field(default=Path("./otklik-data"), description="Rejects files, exports")
    metrics_addresses: str = Field(
        default="", description="Addresses or networks (CIDR), comma-separated, that may read "
        "/metrics without an API token, e.g. 127.0.0.1,10.0.0.0/8")
    db_pool_size: int = Field(default=5, description="Connections per process (PostgreSQL)")
    session_lifetime_minutes: int = Field(
        default=720, ge=1, description="A browser sign-in ends this long after it began")
    session_idle_minutes: int = Field(
        default=60, ge=1, description="A browser sign-in ends after this long without a request "
        "of its person (background polls do not count)")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-For/-Proto `otklik serve` "
        "trusts (uvicorn's forwarded_allow_ips), comma-separated; behind a TLS proxy this "
        "makes cookies Secure")
    # sources (issue 3): API base URLs (tests point them at a local server) and default credentials
    vk_api_url: str = Field(default="https://api.vk.com", description="VK API base URL")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API URL")
    telegram_web_url: str = Field(default="https://t.me", description="t.me preview pages")
    reddit_api_url: str = Field(default="https://oauth.reddit.com", description="Reddit OAuth API")
    youtube_api_url: str = Field(default="https://www.googleapis.com/youtube/v3",
                                 description="YouTube Data API v3")
    x_api_url: str = Field(default="https://api.x.com", description="X API v2 base URL")
    ok_api_url: str = Field(default="https://api.ok.ru", description="OK REST API (fb.do)")
    google_play_api_url: str = Field(default="https://androidpublisher.googleapis.com",
                                     description="Google Play Developer API (reviews)")
    app_store_api_url: str = Field(default="https://api.appstoreconnect.apple.com",
                                   description="App Store Connect API (customer reviews)")
    oauth_clients: dict[str, dict[str, str]] = Field(
        default_factory=dict, repr=False, description="The installation's OAuth apps by "
        'network, JSON: {"reddit": {"client_id": "…", "client_secret": "…"}} (sign-in with '
        "the network on the connect page; OK also application_key)")
    poll_deadline_seconds: float = Field(
        default=60.0, description="Longest one poll of a source may take, retries and waits "
        "included; then it fails (pages stored so far are kept) and is tried at its next "
        "interval")
    vk_access_token: str | None = Field(
        default=None, description="VK token for reading", repr=False
    )
    vk_group_token: str | None = Field(default=None, description="VK community token", repr=False)
    telegram_bot_token: str | None = Field(default=None, description="Bot API token", repr=False)
    sandbox_reply_seconds: float = Field(
        default=20.0, description="How long the sandbox network's customers take to answer")
    map_tiles_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Tile server of the locations' map ({z}/{x}/{y}); an offline installation "
        "points it at its own, empty shows the locations without a map under them")
    map_tiles_attribution: str = Field(
        default="© OpenStreetMap", description="The credit the tile server asks for")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
