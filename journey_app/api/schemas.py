"""Request and response models: what the OpenAPI document promises, and what is checked."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from engine.domain import RunStatus

Id = str
JsonObject = dict[str, Any]


class In(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not silently dropped."""
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# -- accounts ---------------------------------------------------------------------------------

class SignupIn(In):
    vendor_name: str = Field(min_length=1, max_length=200, description="the business name")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=10, max_length=256)
    name: str | None = Field(None, max_length=200, description="the owner's name")
    timezone: str = Field("UTC", max_length=64, description="IANA time zone of the business")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "vendor_name": "Golden Hour Photography", "email": "ana@goldenhour.example",
        "password": "a long passphrase", "name": "Ana", "timezone": "Europe/Lisbon"}]})


class LoginIn(In):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class VendorOut(Out):
    id: Id
    name: str
    timezone: str
    email: str | None = None
    reply_to: str | None = None
    phone: str | None = None
    blackout_dates: list[date] = []
    created_at: datetime | None = None


class VendorPatch(In):
    name: str = Field(None, min_length=1, max_length=200)
    timezone: str = Field(None, max_length=64)
    email: str | None = Field(None, max_length=254)
    reply_to: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=64)
    blackout_dates: list[date] = Field(None, max_length=1000)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reply_to": "hello@goldenhour.example", "blackout_dates": ["2027-12-25"]}]})


class UserOut(Out):
    id: Id
    email: str
    name: str
    role: Literal["owner", "member"]
    created_at: datetime | None = None
    last_login_at: datetime | None = None


class UserIn(In):
    email: str = Field(max_length=254)
    password: str = Field(min_length=10, max_length=256)
    name: str | None = Field(None, max_length=200)
    role: Literal["owner", "member"] = "member"


class ApiKeyOut(Out):
    id: Id
    name: str
    prefix: str = Field(description="the visible start of the key, to recognise it")
    created_at: datetime
    created_by: str | None = None
    last_used_at: datetime | None = Field(None, description="to the minute")
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    active: bool


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="the key itself: shown once, store it now")


class ApiKeyIn(In):
    name: str = Field(min_length=1, max_length=100, description="what the key is for")


class SessionOut(Out):
    vendor: VendorOut
    user: UserOut


class WhoAmI(Out):
    auth: Literal["session", "api_key"]
    vendor: VendorOut
    user: UserOut | None = None
    api_key: ApiKeyOut | None = None


# -- journeys ---------------------------------------------------------------------------------

class JourneySummary(Out):
    id: Id
    name: str
    live_version: int | None = None
    latest_version: int
    archived: bool
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


class JourneyOut(JourneySummary):
    draft: JsonObject = Field(description="the draft document, format journeys/v1")


class JourneyDeleted(Out):
    id: Id
    result: Literal["deleted", "archived"] = Field(
        description="a journey with runs is archived (history kept), else deleted")


class VersionSummary(Out):
    journey_id: Id
    version: int
    published_at: datetime
    published_by: str | None = None


class VersionOut(VersionSummary):
    document: JsonObject


class ProblemOut(Out):
    code: str
    severity: Literal["error", "warning"]
    node: str | None = None
    edge: list[str] | None = None
    message: str


class ValidationOut(Out):
    valid: bool = Field(description="no errors (warnings allowed): the document can be published")
    errors: int
    warnings: int
    problems: list[ProblemOut]


class MigrationIn(In):
    to_version: int = Field(ge=1)
    mapping: dict[str, str] = Field(description="old node id -> node id in to_version",
                                    max_length=10_000)
    from_version: int | None = Field(None, ge=1, description="only runs on this version")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"to_version": 1, "mapping": {"start": "start"}}]})


class MigrationMove(Out):
    from_version: int
    from_node: str | None
    to_node: str
    runs: int


class MigrationUnmapped(Out):
    from_version: int
    node: str | None
    runs: int


class MigrationOut(Out):
    journey_id: Id
    to_version: int
    total: int = Field(description="runs that move (or would move)")
    moves: list[MigrationMove]
    unmapped: list[MigrationUnmapped]
    applied: bool


# -- clients ----------------------------------------------------------------------------------

class _ClientFields(In):
    external_id: str | None = Field(None, max_length=200,
                                    description="your CRM's id; unique per vendor")
    status: str | None = Field(None, max_length=200)
    timezone: str | None = Field(None, max_length=64)
    wedding_date: date | None = None
    dates: dict[str, date] | None = Field(None, description="other anchor dates by name")
    fields: JsonObject | None = None
    tags: list[str] | None = Field(None, max_length=1000)


class ClientIn(_ClientFields):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Sam & Alex", "email": "sam@example.com", "external_id": "crm-42",
        "wedding_date": "2027-06-12", "timezone": "Europe/London", "tags": ["vip"]}]})


class ClientPatch(_ClientFields):
    name: str = Field(None, min_length=1, max_length=200)
    email: str = Field(None, min_length=3, max_length=254)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"wedding_date": "2027-07-03"}]})


class ClientOut(Out):
    id: Id
    external_id: str | None = None
    name: str
    email: str
    status: str | None = None
    timezone: str | None = None
    wedding_date: date | None = None
    dates: dict[str, date] = {}
    fields: JsonObject = {}
    tags: list[str] = []
    form_answers: dict[str, JsonObject] = {}
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RescheduleOut(Out):
    client_id: Id
    changed: list[str] = Field(description="dates (and timezone) that changed")
    applied: bool = Field(description="false for ?preview=true: nothing was changed")
    runs: list[JsonObject] = Field(description="waiting runs re-timed: run_id, node, from, to, "
                                               "outcome")
    date_triggers: list[JsonObject]


class ClientUpdated(Out):
    client: ClientOut
    reschedule: RescheduleOut


# -- events -----------------------------------------------------------------------------------

class EventIn(In):
    client: str = Field(min_length=1, max_length=200, description="client id or external id")
    type: str = Field(min_length=1, max_length=100, description="client_added, form_submitted, "
                      "payment_received, manual or custom:<name>")
    data: JsonObject = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"client": "crm-42", "type": "payment_received", "data": {"amount": 500}}]})


class EventResult(Out):
    event_id: Id
    type: str
    client_id: Id
    started: list[Id] = Field(description="runs started by this event")
    resumed: list[Id] = Field(description="waiting runs it resumed")
    exited: list[Id] = Field(description="runs it ended (exit_on)")
    goals: list[Id] = Field(description="runs it converted (goal)")


# -- runs -------------------------------------------------------------------------------------

RunStatusName = Literal["active", "waiting", "needs_date", "paused", "completed", "exited",
                        "cancelled", "failed"]
assert set(RunStatusName.__args__) == set(RunStatus.ALL)  # type: ignore[attr-defined]


class RunOut(Out):
    id: Id
    journey_id: Id
    version: int
    client_id: Id
    status: RunStatusName
    node: str | None = None
    visit: int
    wait: JsonObject | None = Field(None, description="what the run waits for")
    due_at: datetime | None = None
    paused_status: str | None = None
    error: str | None = None
    goal_at: datetime | None = None
    entered_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None


class StepOut(Out):
    run_id: Id
    key: str
    node: str | None = None
    visit: int
    type: str
    outcome: str
    at: datetime
    seq: int
    actor: str
    detail: JsonObject = {}
    journey_id: str = ""
    version: int = 0
    client_id: str = ""


class RescheduleIn(In):
    at: AwareDatetime = Field(description="when the current wait ends (with a time zone)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"at": "2027-05-01T09:00:00Z"}]})


# -- approvals --------------------------------------------------------------------------------

class ApprovalOut(Out):
    id: Id
    run_id: Id
    client_id: Id
    journey_id: Id
    node: str
    visit: int
    email: JsonObject = Field(description="the rendered email: subject, text, html, to")
    created_at: datetime
    deadline: datetime | None = None
    on_timeout: str | None = None
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None


class EmailEdits(In):
    subject: str = Field(None, max_length=1000)
    text: str = Field(None, max_length=200_000)
    html: str = Field(None, max_length=400_000)
    to: str = Field(None, max_length=1000)


class ApproveIn(In):
    edits: EmailEdits | None = Field(None, description="send an edited email instead")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"edits": {"subject": "See you soon!"}}]})


class DecisionIn(In):
    approval_id: Id = Field(max_length=300)
    decision: Literal["approve", "reject"]
    edits: EmailEdits | None = None


class DecisionsIn(In):
    decisions: list[DecisionIn] = Field(min_length=1, max_length=200)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"decisions": [{"approval_id": "run_1:welcome:1", "decision": "approve"}]}]})


class ErrorItem(Out):
    code: str
    message: str
    details: Any = None


class DecisionOut(Out):
    approval_id: Id
    ok: bool
    approval: ApprovalOut | None = None
    error: ErrorItem | None = None


class DecisionsOut(Out):
    results: list[DecisionOut]


# -- audit ------------------------------------------------------------------------------------

class JourneyHistoryOut(Out):
    """One line of a journey's history (engine.audit.JourneyHistoryEntry)."""
    at: datetime
    kind: str = Field(description="created, draft_saved, published, unpublished, archived, "
                                  "deleted; with ?runs=true also step and control")
    summary: str
    journey_id: Id
    actor: str | None = None
    version: int | None = None
    name: str | None = None
    run_id: Id | None = None
    client_id: Id | None = None
    node: str | None = None
    type: str | None = None
    outcome: str | None = None
    detail: JsonObject = {}


class TimelineEntryOut(Out):
    """One line of a client's timeline (engine.audit.TimelineEntry)."""
    at: datetime
    kind: Literal["event", "run_started", "step", "control", "effect_attempt", "run_ended"]
    summary: str
    client_id: Id
    actor: str | None = None
    run_id: Id | None = None
    journey_id: Id | None = None
    journey_name: str | None = None
    version: int | None = None
    node: str | None = None
    type: str | None = None
    outcome: str | None = None
    effect_id: Id | None = None
    event_id: Id | None = None
    detail: JsonObject = {}


class EffectAttemptOut(Out):
    effect_id: Id
    at: datetime
    outcome: str = Field(description="sent, captured, retry, dead (the dispatcher's attempts); "
                                     "replayed, discarded (a person's decisions)")
    attempt: int | None = None
    error: str | None = None
    retryable: bool | None = None
    destination: str | None = None
    actor: str
    kind: str = ""
    detail: JsonObject = {}


# -- simulation -------------------------------------------------------------------------------

class SimulationIn(In):
    document: JsonObject = Field(description="a journeys/v1 document")
    clients: list[JsonObject] = Field(description="spec CLIENTS.json entries")
    events: list[JsonObject] = Field(default_factory=list, description="spec EVENTS.json entries")
    start: AwareDatetime | None = Field(None, description="default: now")
    until: AwareDatetime | None = Field(None, description="default: last anchor date + 1 year")
    seed: int | str = 0

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "document": {"format": "journeys/v1", "name": "Hello",
                     "nodes": [{"id": "start", "type": "trigger",
                                "config": {"event": "client_added"}},
                               {"id": "done", "type": "exit"}],
                     "edges": [{"from": "start", "to": "done"}]},
        "clients": [{"id": "c1", "name": "Sam", "email": "sam@example.com",
                     "wedding_date": "2027-06-12"}],
        "start": "2027-01-01T00:00:00Z"}]})


class SimStep(Out):
    client: str
    node: str | None
    type: str
    at: str
    local: str
    outcome: str


class SimRun(Out):
    client: str
    status: str
    path: list[str | None]


class SimulationOut(Out):
    steps: list[SimStep]
    runs: list[SimRun]
