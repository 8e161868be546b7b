"""Decide what a run does next: a pure function of the journey, the run, the cause and `now`.

`walk()` takes a copy of the run and a cause (it started, a wake-up came due, an event arrived,
an approval was decided, a control was used) and moves the run through as many nodes as it can
right now, stopping at the first wait. It reads no clock and no store; it returns the new run
state and the commands (step log lines, outbox effects, approvals...) for the service to apply.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.calendar import (add_duration, anchor_name, delay_business_days, next_send_time,
                             resolve_time)
from engine.clock import format_utc
from engine.domain import Client, Run, RunStatus, Vendor
from engine.errors import JourneyError, MissingDate
from engine.graph.graph import JourneyGraph
from engine.ids import IdFactory
from engine.runtime import causes as c
from engine.runtime.commands import (Command, CreateApproval, CreateFormRequest, EnqueueEffect,
                                     RecordStep, ResolveApproval, UpdateClient)
from engine.runtime.conditions import ConditionContext, evaluate
from engine.runtime.settings import JourneySettings
from engine.templating import render_html, render_text

MAX_NODES_PER_WALK = 500  # a guard: validation forbids cycles without a wait, this catches the rest


@dataclass
class WalkContext:
    graph: JourneyGraph
    settings: JourneySettings
    client: Client  # a working copy: action nodes change it
    vendor: Vendor
    journey_name: str
    tz: ZoneInfo
    now: datetime
    ids: IdFactory
    seed: str = "0"
    base_url: str = "http://localhost:3000"


@dataclass
class Decision:
    run: Run
    commands: list[Command] = field(default_factory=list)
    client_changes: dict[str, Any] = field(default_factory=dict)


class _Fail(Exception):
    """A node cannot be carried out (bad data for a template, say): the run fails at this node."""


class _Runaway(Exception):
    """Too many nodes in one walk (a loop whose waits are all zero-length)."""


def split_choice(seed: str, split_key: str, node: str, visit: int,
                 branches: list[dict[str, Any]]) -> str:
    """Deterministic weighted choice: the same run, node and visit always take the same branch."""
    digest = hashlib.sha256(f"{seed}|{split_key}|{node}|{visit}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64 * sum(b["weight"] for b in branches)
    for branch in branches:
        point -= branch["weight"]
        if point < 0:
            return branch["label"]
    return branches[-1]["label"]


class Walker:
    def __init__(self, ctx: WalkContext, run: Run):
        self.ctx = ctx
        self.run = run
        self.commands: list[Command] = []
        self.client_changes: dict[str, Any] = {}
        self.was = run.status  # the status before this walk (a skip of a failed run differs)
        self.original = run.clone()
        # The date-anchored delay that ended in this walk (its `until` spec), if any: an email
        # the send window then holds keeps following that date (see _send_or_hold).
        self.timed_by: dict[str, Any] | None = None
        # Events that arrived while the run was held by a send window or an approval: a
        # wait_for reached right after the hold (instant nodes between) takes a match at once.
        self.missed: list[dict[str, Any]] = []

    # -- entry point -----------------------------------------------------------------------
    def handle(self, cause: c.Cause) -> Decision:
        run = self.run
        run.status = RunStatus.ACTIVE  # every path below ends waiting, completed or failed
        try:
            if isinstance(cause, c.Start):
                run.event = dict(cause.event)
                self._enter(self.ctx.graph.trigger.id)
            elif isinstance(cause, c.Skip):
                self._skip(cause.actor)
            elif isinstance(cause, c.Retry):
                self._enter(run.node)
            elif isinstance(cause, c.Recheck):
                self._recheck()
            elif isinstance(cause, c.Retime):
                self._retime()
            else:
                self._resume(cause)
        except _Runaway as runaway:
            # Nothing of this walk happens (no email goes out 500 times): the run fails where
            # the walk began, with no step logged.
            self.run, self.commands, self.client_changes = self.original.clone(), [], {}
            self.run.node = self.run.node or self.ctx.graph.trigger.id
            self.run.status, self.run.error = RunStatus.FAILED, str(runaway)
            self.run.wait, self.run.due_at = None, None
        except _Fail as failure:
            self._fail(str(failure))
        except JourneyError as error:  # e.g. a time the calendar cannot compute for this client
            self._fail(error.message)
        return Decision(run=self.run, commands=self.commands, client_changes=self.client_changes)

    # -- moving between nodes --------------------------------------------------------------
    def _enter(self, node_id: str | None) -> None:
        budget = MAX_NODES_PER_WALK
        while node_id is not None:
            budget -= 1
            if budget < 0:
                raise _Runaway(f"more than {MAX_NODES_PER_WALK} steps without a wait: a loop "
                               f"whose waits take no time; nothing of it was carried out")
            run = self.run
            run.visits[node_id] = run.visits.get(node_id, 0) + 1
            run.node, run.visit = node_id, run.visits[node_id]
            run.entered_at = self.ctx.now
            run.wait, run.due_at = None, None
            run.status = RunStatus.ACTIVE
            node_id = self._execute()
        if self.run.status == RunStatus.ACTIVE:  # not left waiting: the path ended here
            self._complete()

    def _after(self, outcome: str, label: str | None = None, **detail: Any) -> str | None:
        """Log the current node's step and return the node to go to next (None ends the run)."""
        node = self.ctx.graph.node(self.run.node)
        self._log(node.id, node.type, outcome, detail)
        return self.ctx.graph.next(node.id, label)

    def _log(self, node_id: str, node_type: str, outcome: str, detail: dict[str, Any],
             actor: str = "engine") -> None:
        self.run.seq += 1
        self.commands.append(RecordStep(node=node_id, visit=self.run.visit, type=node_type,
                                        outcome=outcome, at=self.ctx.now,
                                        entered_at=self.run.entered_at, detail=detail,
                                        actor=actor, seq=self.run.seq))

    def _complete(self) -> None:
        self.run.status = RunStatus.COMPLETED
        self.run.wait, self.run.due_at = None, None
        self.run.ended_at = self.ctx.now

    def _fail(self, message: str) -> None:
        run = self.run
        node = self.ctx.graph.node(run.node) if run.node in self.ctx.graph else None
        if node is not None:
            self._log(node.id, node.type, "failed", {"error": message})
        run.status, run.error = RunStatus.FAILED, message
        run.wait, run.due_at = None, None

    def _wait(self, kind: str, due: datetime | None, **extra: Any) -> None:
        self.run.status = RunStatus.WAITING
        self.run.wait = {"kind": kind, "due": format_utc(due) if due else None, **extra}
        self.run.due_at = due

    # -- executing a node on entry ---------------------------------------------------------
    def _execute(self) -> str | None:
        node = self.ctx.graph.node(self.run.node)
        handler = getattr(self, f"_node_{node.type}")
        return handler(node.config)

    def _node_trigger(self, config: dict[str, Any]) -> str | None:
        return self._after("done")

    def _node_exit(self, config: dict[str, Any]) -> str | None:
        self._after("done")
        return None

    def _node_condition(self, config: dict[str, Any]) -> str | None:
        result = evaluate(config, self._condition_context())
        return self._after("done", "true" if result else "false", result=result)

    def _node_split(self, config: dict[str, Any]) -> str | None:
        label = split_choice(self.ctx.seed, self.run.split_key, self.run.node, self.run.visit,
                             config["branches"])
        return self._after("done", label, branch=label)

    def _node_action(self, config: dict[str, Any]) -> str | None:
        action = config["action"]
        client = self.ctx.client
        if action == "update_status":
            client.status = config["status"]
            self.client_changes["status"] = client.status
        elif action == "set_field":
            client.fields[config["field"]] = config.get("value")
            self.client_changes.setdefault("fields", {})[config["field"]] = config.get("value")
        elif action == "add_tag":
            if config["tag"] not in client.tags:
                client.tags.append(config["tag"])
            self.client_changes["tags"] = list(client.tags)
        elif action == "remove_tag":
            client.tags = [t for t in client.tags if t != config["tag"]]
            self.client_changes["tags"] = list(client.tags)
        elif action == "create_task":
            due = None
            if config.get("due") and _is_time(config["due"]):
                due = self._resolve_or_wait_date(config["due"])
                if due is None:  # due on a date the client does not have yet: needs_date
                    return self._stay()
            elif config.get("due"):
                due = add_duration(self.ctx.now, config["due"], self.ctx.tz)
            self._effect("task", {"title": self._render_text(config["title"]),
                                  "due": format_utc(due) if due else None,
                                  "client_id": client.id})
        elif action == "webhook":
            payload = {"url": config["url"], "method": config.get("method", "POST").upper(),
                       "headers": dict(config.get("headers") or {}),
                       "body": self._render_text(config["body"]) if config.get("body") else None}
            self._effect("webhook", payload, destination=config["url"])
        if self.client_changes:
            self.commands.append(UpdateClient(dict(self.client_changes)))
        return self._after("done", action=action)

    def _node_delay(self, config: dict[str, Any]) -> str | None:
        now = self.ctx.now
        if "until" in config:
            spec = config["until"]
            due = self._resolve_or_wait_date(spec)
            if due is None:
                return self._stay()
            if due < now - self.ctx.settings.past_due_grace:
                return self._past_due(due)
            if due <= now:
                self.timed_by = {"spec": spec, "anchor": anchor_name(spec)}
                return self._after("done")
            self._wait("delay", due, anchor=anchor_name(spec), spec=spec)
            return self._stay()
        if "business_days" in config:
            due = delay_business_days(now, config["business_days"], self.ctx.tz,
                                      self.ctx.settings.calendar)
        else:
            due = add_duration(now, config["duration"], self.ctx.tz)
        if due <= now:
            return self._after("done")
        self._wait("delay", due)
        return self._stay()

    def _past_due(self, due: datetime) -> str | None:
        graph = self.ctx.graph
        label = "past_due" if "past_due" in graph.labels(self.run.node) else None
        return self._after("past_due", label, due=format_utc(due))

    def _node_wait_for(self, config: dict[str, Any]) -> str | None:
        awaited = {"kind": "wait_for", "event": config["event"], "match": config.get("match")}
        for missed in self.missed:
            if event_matches(awaited, missed["type"], missed["data"], self.ctx, self.run):
                self.missed = []
                self.run.event = dict(missed["data"])
                return self._after("event", "event", event=missed["type"],
                                   arrived=missed["at"])
        timeout = config["timeout"]
        if _is_time(timeout):
            due = self._resolve_or_wait_date(timeout)
            if due is None:  # the event can still arrive: keep listening while the date is unknown
                self.run.wait.update(event=config["event"], match=config.get("match"))
                return self._stay()
            if due < self.ctx.now - self.ctx.settings.past_due_grace:
                return self._after("timeout", "timeout", due=format_utc(due), past_due=True)
            anchor = anchor_name(timeout)
        else:
            due, anchor = add_duration(self.ctx.now, timeout, self.ctx.tz), None
        if due <= self.ctx.now:  # no time to wait (a zero timeout, or a time just passed)
            return self._after("timeout", "timeout")
        self._wait("wait_for", due, event=config["event"], match=config.get("match"),
                   anchor=anchor, spec=timeout if anchor else None)
        return self._stay()

    def _node_email(self, config: dict[str, Any]) -> str | None:
        content = self._render_email(config)  # renders now so a bad template fails here
        if config.get("requires_approval"):
            approval = config.get("approval") or {}
            deadline = (self._time_or_duration(approval["timeout"])
                        if approval.get("timeout") else None)
            if deadline is not None and deadline <= self.ctx.now:  # a zero timeout: no time
                if approval.get("on_timeout") == "send":             # to approve it
                    return self._send_or_hold(None)
                return self._after("skipped", reason="approval timed out")
            self.commands.append(CreateApproval(node=self.run.node, visit=self.run.visit,
                                                email=content, deadline=deadline,
                                                on_timeout=approval.get("on_timeout")))
            self._wait("approval", deadline, on_timeout=approval.get("on_timeout"))
            return self._stay()
        # Held by the send window: rendered again when it goes, so a date changed meanwhile
        # shows the new date. Only an approved (possibly edited) text is kept as it is.
        # Sent at once: the text just rendered is what a second render would give (same data,
        # same instant), so it is used as it is (half the template work of the hot loop).
        return self._send_or_hold(None, rendered=content)

    def _node_form(self, config: dict[str, Any]) -> str | None:
        return self._send_or_hold(None)

    def _send_or_hold(self, content: dict[str, Any] | None,
                      rendered: dict[str, Any] | None = None) -> str | None:
        """Send now if the send window is open, else wait for its next opening. `rendered` is
        the node's text rendered at this instant, used only if it goes now."""
        opening = next_send_time(self.ctx.now, self.ctx.settings.send_window, self.ctx.tz,
                                 self.ctx.settings.calendar)
        if opening > self.ctx.now:
            # Held right after a date-anchored delay: the hold follows that date, so a
            # reschedule during the hold re-times the email with it (_recheck).
            timed = {"after": self.timed_by, "anchor": self.timed_by["anchor"]} \
                if self.timed_by else {}
            if self.missed:  # an approved email held by the window: keep what arrived
                timed["missed"] = self.missed
            self._wait("window", opening, content=content, **timed)
            return self._stay()
        return self._send(content or rendered)

    def _send(self, content: dict[str, Any] | None) -> str | None:
        node = self.ctx.graph.node(self.run.node)
        if node.type == "form":
            token = self.ctx.ids.token()
            form_url = f"{self.ctx.base_url.rstrip('/')}/f/{token}"
            self.commands.append(CreateFormRequest(token=token, form_key=node.config["form"],
                                                   node=node.id))
            content = self._render_email(node.config, form_url=form_url)
            content.update(form=node.config["form"], form_url=form_url, token=token)
            self._effect("form", content, destination="smtp")
        else:
            self._effect("email", content or self._render_email(node.config), destination="smtp")
        return self._after("sent")

    # -- resuming a waiting run ------------------------------------------------------------
    def _resume(self, cause: c.Cause) -> None:
        run = self.run
        wait = run.wait or {}
        kind = wait.get("kind")
        graph = self.ctx.graph
        node = graph.node(run.node)
        nxt: str | None
        self.missed = list(wait.get("missed") or [])
        if isinstance(cause, c.EventArrived):
            run.event = dict(cause.data)
            nxt = self._after("event", "event", event=cause.type)
        elif isinstance(cause, c.ApprovalDecided):
            self.commands.append(ResolveApproval(node=node.id, visit=run.visit,
                                                 status=cause.decision, actor=cause.actor))
            if cause.decision == "rejected":
                nxt = self._after("skipped", reason="rejected", by=cause.actor)
            else:
                content = {**self._render_email(node.config), **(cause.edits or {})}
                nxt = self._send_or_hold(content if cause.edits else None)
                if run.status == RunStatus.WAITING:
                    return
        elif isinstance(cause, c.DateAvailable):
            self._reenter_same_visit()
            return
        elif kind == "delay":
            if wait.get("spec") is not None and wait.get("anchor"):
                self.timed_by = {"spec": wait["spec"], "anchor": wait["anchor"]}
            nxt = self._after("done")
        elif kind == "wait_for":
            nxt = self._after("timeout", "timeout")
        elif kind == "window":
            nxt = self._send(wait.get("content"))
        elif kind == "approval":
            self.commands.append(ResolveApproval(node=node.id, visit=run.visit,
                                                 status="expired", actor="engine"))
            if wait.get("on_timeout") == "send":
                nxt = self._send_or_hold(None)
                if run.status == RunStatus.WAITING:
                    return
            else:
                nxt = self._after("skipped", reason="approval timed out")
        else:
            raise _Fail(f"run woke up at node {node.id!r} with nothing to wait for")
        self._enter(nxt)

    def _reenter_same_visit(self) -> None:
        """A needs-date run whose date is now known: execute the same node visit again."""
        run = self.run
        run.wait, run.due_at, run.status = None, None, RunStatus.ACTIVE
        run.entered_at = run.entered_at or self.ctx.now
        self._enter(self._execute())

    def _recheck(self) -> None:
        """After a reschedule or a resume: re-time a date-anchored wait, apply the past-due rule."""
        run = self.run
        wait = run.wait or {}
        kind = wait.get("kind")
        if kind == "needs_date":
            try:
                resolve_time(wait["spec"], client_dates=self.ctx.client.anchor_dates(),
                             tz=self.ctx.tz, calendar=self.ctx.settings.calendar)
            except MissingDate:
                run.status = RunStatus.NEEDS_DATE
                return
            self._reenter_same_visit()
            return
        spec = wait.get("spec")
        if spec is not None:
            try:
                due = resolve_time(spec, client_dates=self.ctx.client.anchor_dates(),
                                   tz=self.ctx.tz, calendar=self.ctx.settings.calendar)
            except MissingDate as missing:
                listening = {k: wait[k] for k in ("event", "match") if k in wait}
                self._wait("needs_date", None, anchor=missing.anchor, spec=spec, **listening)
                run.status = RunStatus.NEEDS_DATE
                return
        elif kind == "window":  # the window's next opening from now (zone may have changed)
            due = next_send_time(self._held_since(wait), self.ctx.settings.send_window,
                                 self.ctx.tz, self.ctx.settings.calendar)
        else:
            due = run.due_at or (datetime.fromisoformat(wait["due"].replace("Z", "+00:00"))
                                 if wait.get("due") else None)
        if due is None:
            run.status = RunStatus.WAITING
            return
        if spec is not None and due < self.ctx.now - self.ctx.settings.past_due_grace:
            if kind == "delay":
                self._enter(self._past_due(due))
            else:
                self._enter(self._after("timeout", "timeout", due=format_utc(due), past_due=True))
            return
        wait["due"] = format_utc(due)
        run.wait, run.due_at, run.status = wait, max(due, self.ctx.now), RunStatus.WAITING

    def _held_since(self, wait: dict[str, Any]) -> datetime:
        """When a window-held email became due: now, or - when it was held right after a
        date-anchored delay - that delay's moment on the client's dates as they are now, if it
        is still ahead (the wedding moved later: the email waits for the new moment)."""
        after = wait.get("after")
        if not after:
            return self.ctx.now
        try:
            moment = resolve_time(after["spec"], client_dates=self.ctx.client.anchor_dates(),
                                  tz=self.ctx.tz, calendar=self.ctx.settings.calendar)
        except MissingDate:
            return self.ctx.now  # the date was removed: the delay is over all the same
        return max(moment, self.ctx.now)

    def _retime(self) -> None:
        """Re-time a delay or wait_for from when the run entered it, with the node's config."""
        run, ctx = self.run, self.ctx
        node = ctx.graph.node(run.node)
        config, base = node.config, run.entered_at or ctx.now
        wait: dict[str, Any] = {"kind": node.type, "spec": None, "anchor": None}
        timing = config.get("until") if node.type == "delay" else config.get("timeout")
        if node.type == "wait_for":
            wait.update(event=config["event"], match=config.get("match"))
        if timing is not None and _is_time(timing):
            wait.update(spec=timing, anchor=anchor_name(timing))
            due = None
        elif node.type == "delay" and "business_days" in config:
            due = delay_business_days(base, config["business_days"], ctx.tz, ctx.settings.calendar)
        else:
            due = add_duration(base, timing if timing is not None else config["duration"], ctx.tz)
        wait["due"] = format_utc(due) if due else None
        run.wait, run.due_at = wait, due
        self._recheck()

    def _skip(self, actor: str) -> None:
        run = self.run
        node = self.ctx.graph.node(run.node)
        wait_kind = (run.wait or {}).get("kind")
        if self.was == RunStatus.FAILED:  # node#visit holds the failure: log the skip as a new visit
            run.visits[node.id] = run.visits.get(node.id, run.visit) + 1
            run.visit = run.visits[node.id]
        if wait_kind == "approval":
            self.commands.append(ResolveApproval(node=node.id, visit=run.visit,
                                                 status="rejected", actor=actor))
        label = {"wait_for": "timeout", "condition": "false"}.get(node.type)
        if node.type == "split":
            label = node.config["branches"][0]["label"]
        self.run.seq += 1
        self.commands.append(RecordStep(node=node.id, visit=run.visit, type=node.type,
                                        outcome="skipped", at=self.ctx.now,
                                        entered_at=run.entered_at, detail={"by": actor},
                                        actor=actor, seq=self.run.seq))
        self._enter(self.ctx.graph.next(node.id, label))

    # -- helpers -----------------------------------------------------------------------------
    def _stay(self) -> None:
        return None

    def _resolve_or_wait_date(self, spec: dict[str, Any]) -> datetime | None:
        try:
            return resolve_time(spec, client_dates=self.ctx.client.anchor_dates(), tz=self.ctx.tz,
                                calendar=self.ctx.settings.calendar)
        except MissingDate as missing:
            self._wait("needs_date", None, anchor=missing.anchor, spec=spec)
            self.run.status = RunStatus.NEEDS_DATE
            return None

    def _time_or_duration(self, value: dict[str, Any]) -> datetime:
        if _is_time(value):
            try:
                return resolve_time(value, client_dates=self.ctx.client.anchor_dates(),
                                    tz=self.ctx.tz, calendar=self.ctx.settings.calendar)
            except MissingDate as missing:
                raise _Fail(f"client has no date {missing.anchor!r}") from None
        return add_duration(self.ctx.now, value, self.ctx.tz)

    def _effect(self, kind: str, payload: dict[str, Any], destination: str | None = None) -> None:
        key = f"{self.run.id}:{self.run.node}:{self.run.visit}"
        self.commands.append(EnqueueEffect(key=key, kind=kind, payload=payload,
                                           destination=destination))

    def _template_vars(self, **extra: Any) -> dict[str, Any]:
        return {"client": self.ctx.client.view(), "vendor": self.ctx.vendor.template_view(),
                "event": self.run.event, "journey": {"name": self.ctx.journey_name,
                                                     "id": self.run.journey_id},
                **extra}

    def _render_text(self, source: str, **extra: Any) -> str:
        try:
            return render_text(source, self._template_vars(**extra))
        except JourneyError:
            raise
        except Exception as exc:  # a template that renders badly on this client's data
            raise _Fail(f"template failed to render: {exc}") from None

    def _render_email(self, config: dict[str, Any], **extra: Any) -> dict[str, Any]:
        variables = self._template_vars(**extra)
        try:
            to = render_text(config["to"], variables).strip() if config.get("to") \
                else self.ctx.client.email
            content = {"to": to, "subject": render_text(config["subject"], variables).strip(),
                       "text": render_text(config["body"], variables),
                       "html": render_html(config["body"], variables),
                       "from_name": self.ctx.vendor.name,
                       "reply_to": self.ctx.vendor.reply_to or self.ctx.vendor.email}
        except Exception as exc:
            raise _Fail(f"email template failed to render: {exc}") from None
        if not to:  # a `to` template that renders empty: failing shows it; sending cannot
            raise _Fail("the email has no recipient: its `to` template rendered empty")
        return content

    def _condition_context(self) -> ConditionContext:
        client = self.ctx.client
        return ConditionContext(client=client.view(), event=self.run.event,
                                forms=client.form_answers, now=self.ctx.now, tz=self.ctx.tz)


def _is_time(value: dict[str, Any]) -> bool:
    return "anchor" in value or "date" in value


def walk(ctx: WalkContext, run: Run, cause: c.Cause) -> Decision:
    """Move a copy of `run` as far as it can go now. Pure: no clock, no store."""
    return Walker(ctx, run.clone()).handle(cause)


def event_matches(wait: dict[str, Any], event_type: str, data: dict[str, Any], ctx: WalkContext,
                  run: Run) -> bool:
    """Does an arriving event resume a run waiting at a wait_for node? (Also one whose TIME
    timeout waits for a client date: the event is still awaited meanwhile.)"""
    if wait.get("kind") not in ("wait_for", "needs_date") or wait.get("event") != event_type:
        return False
    match = wait.get("match")
    if not match:
        return True
    client = ctx.client
    return evaluate(match, ConditionContext(client=client.view(), event=data,
                                            forms=client.form_answers, now=ctx.now, tz=ctx.tz))
