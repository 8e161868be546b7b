"""API settings: body limit, session cookie, rate limits, paging, simulation bounds.

Read from JOURNEYS_API_* environment variables (e.g. JOURNEYS_API_COOKIE_SECURE=true behind
HTTPS); tests pass an ApiSettings to create_api().
"""
from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNEYS_API_", extra="ignore")

    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="larger bodies get 413")
    cookie_secure: bool = Field(False, description="set the session cookie's Secure flag "
                                                   "(turn on when served over HTTPS)")
    session_ttl: timedelta = timedelta(days=14)
    signup_enabled: bool = True
    trust_forwarded_for: bool = Field(False, description="take the client address from "
                                      "X-Forwarded-For (only behind a trusted proxy)")
    # Token buckets: `burst` at once, refilled at `per_second`.
    login_burst: int = Field(10, ge=1)
    login_per_second: float = Field(10 / 60, gt=0)  # 10 a minute per client address
    signup_burst: int = Field(10, ge=1)
    signup_per_second: float = Field(10 / 3600, gt=0)  # 10 an hour per client address
    ingest_burst: int = Field(100, ge=1)
    ingest_per_second: float = Field(20.0, gt=0)  # per API key (or signed-in user)
    ingest_address_burst: int = Field(200, ge=1)
    ingest_address_per_second: float = Field(40.0, gt=0)  # per client address
    default_page_size: int = Field(50, ge=1)
    max_page_size: int = Field(500, ge=1)
    max_simulation_clients: int = Field(500, ge=1)
    max_simulation_events: int = Field(5000, ge=1)
    max_simulation_days: int = Field(3660, ge=1, description="longest simulated span")
