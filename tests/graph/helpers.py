"""Small builders for journey documents in tests."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from engine.graph.validate import validate

CATALOG = Path(__file__).resolve().parent.parent / "catalog"


def trigger(id: str = "start", event: str = "manual", **config: Any) -> dict:
    return {"id": id, "type": "trigger", "config": {"event": event, **config}}


def email(id: str, subject: str = "Hello", body: str = "Hi {{ client.name }}", **config: Any) -> dict:
    return {"id": id, "type": "email", "config": {"subject": subject, "body": body, **config}}


def node(id: str, type: str, config: dict | None = None, **extra: Any) -> dict:
    n = {"id": id, "type": type, **extra}
    if config is not None:
        n["config"] = config
    return n


def exit_(id: str = "end") -> dict:
    return {"id": id, "type": "exit"}


def edge(a: str, b: str, when: str | None = None) -> dict:
    e = {"from": a, "to": b}
    if when is not None:
        e["when"] = when
    return e


def doc(nodes: list, edges: list, **extra: Any) -> dict:
    d = {"format": "journeys/v1", "name": "Test journey", "nodes": nodes, "edges": edges}
    d.update(extra)
    return d


def chain(*nodes: dict, **extra: Any) -> dict:
    """A document whose nodes are linked one after the other with unlabelled edges."""
    ids = [n["id"] for n in nodes]
    return doc(list(nodes), [edge(a, b) for a, b in zip(ids, ids[1:])], **extra)


def with_node(n: dict, **extra: Any) -> dict:
    """start -> n -> end (n must take one unlabelled edge)."""
    return chain(trigger(), n, exit_(), **extra)


def minimal() -> dict:
    return chain(trigger(), email("hello"), exit_())


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def check(d: Any) -> list[str]:
    """Codes of validate(d)."""
    return codes(validate(copy.deepcopy(d) if isinstance(d, dict) else d))


def only(d: Any, code: str) -> list:
    """validate(d) must report `code` and nothing else; returns those problems."""
    problems = validate(d)
    assert problems and {p.code for p in problems} == {code}, [p.to_dict() for p in problems]
    return problems
