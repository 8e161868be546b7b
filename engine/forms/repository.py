"""Vendor forms and form-request updates in the caller's transaction: `form_records(tx)`.

SqlForms works on the transaction's connection (vendor_form, and the engine's form_request
table for the two queries the Tx contract does not have); MemoryForms keeps the vendor forms
beside the memory store's tables, undone on rollback.

`claim_request` is the exactly-once guard of a submission: it marks a link answered only if
nobody did so before (a conditional UPDATE in SQL, so two submissions racing on PostgreSQL
cannot both win).
"""
from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain import FormRequest
from engine.forms import tables as F
from engine.forms.model import FormDefinition, Question
from engine.storage.base import Tx
from engine.storage.extension import memory_delete, memory_set, memory_table, sql_connection
from engine.storage.sql import tables as T


class FormRecords(Protocol):
    def get(self, vendor_id: str, key: str) -> FormDefinition | None: ...
    def list(self, vendor_id: str) -> list[FormDefinition]: ...
    def put(self, form: FormDefinition) -> None: ...
    def delete(self, vendor_id: str, key: str) -> bool: ...
    def claim_request(self, token: str, *, submitted_at: datetime,
                      answers: dict[str, Any]) -> bool: ...
    def requests_for_client(self, client_id: str) -> list[FormRequest]: ...


def form_records(tx: Tx) -> FormRecords:
    conn = sql_connection(tx)
    return MemoryForms(tx) if conn is None else SqlForms(conn)


def _row(form: FormDefinition) -> dict[str, Any]:
    return {"vendor_id": form.vendor_id, "key": form.key, "title": form.title,
            "description": form.description or "",
            "questions": [dataclasses.asdict(q) for q in form.questions],
            "created_at": form.created_at, "updated_at": form.updated_at,
            "updated_by": form.updated_by}


def _form(row: Any) -> FormDefinition:
    data = dict(row._mapping)
    return FormDefinition(key=data["key"], title=data["title"],
                          description=data["description"] or "",
                          questions=[Question(**q) for q in data["questions"]],
                          vendor_id=data["vendor_id"], created_at=data["created_at"],
                          updated_at=data["updated_at"], updated_by=data["updated_by"])


_FORM_REQUEST = tuple(f.name for f in dataclasses.fields(FormRequest))


class SqlForms:
    vf, fr = F.vendor_form, T.form_request
    _get = select(vf).where(vf.c.vendor_id == bindparam("vendor_id"),
                            vf.c.key == bindparam("key"))
    _list = select(vf).where(vf.c.vendor_id == bindparam("vendor_id")).order_by(vf.c.key)
    _delete = vf.delete().where(vf.c.vendor_id == bindparam("vendor_id"),
                                vf.c.key == bindparam("key"))
    _claim = (fr.update().where(fr.c.token == bindparam("t"), fr.c.submitted_at.is_(None))
              .values(submitted_at=bindparam("submitted_at"), answers=bindparam("answers")))
    _for_client = (select(*map(fr.c.__getitem__, _FORM_REQUEST))
                   .where(fr.c.client_id == bindparam("client_id"))
                   .order_by(fr.c.created_at, fr.c.id))

    def __init__(self, conn: Any):
        self.conn = conn

    def get(self, vendor_id: str, key: str) -> FormDefinition | None:
        row = self.conn.execute(self._get, {"vendor_id": vendor_id, "key": key}).first()
        return _form(row) if row is not None else None

    def list(self, vendor_id: str) -> list[FormDefinition]:
        return [_form(r) for r in self.conn.execute(self._list, {"vendor_id": vendor_id})]

    def put(self, form: FormDefinition) -> None:
        insert = postgresql.insert if self.conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(self.vf)
        stmt = stmt.on_conflict_do_update(
            index_elements=["vendor_id", "key"],
            set_={c: stmt.excluded[c] for c in ("title", "description", "questions",
                                                "updated_at", "updated_by")})
        self.conn.execute(stmt, _row(form))

    def delete(self, vendor_id: str, key: str) -> bool:
        return self.conn.execute(self._delete, {"vendor_id": vendor_id, "key": key}).rowcount > 0

    def claim_request(self, token: str, *, submitted_at: datetime,
                      answers: dict[str, Any]) -> bool:
        result = self.conn.execute(self._claim, {"t": token, "submitted_at": submitted_at,
                                                 "answers": answers})
        return result.rowcount == 1

    def requests_for_client(self, client_id: str) -> list[FormRequest]:
        return [FormRequest(*r) for r in self.conn.execute(self._for_client,
                                                           {"client_id": client_id})]


class MemoryForms:
    def __init__(self, tx: Tx):
        self.tx = tx
        self.forms: dict[tuple[str, str], FormDefinition] = memory_table(tx, "vendor_form", dict)

    def get(self, vendor_id: str, key: str) -> FormDefinition | None:
        found = self.forms.get((vendor_id, key))
        return copy.deepcopy(found) if found is not None else None

    def list(self, vendor_id: str) -> list[FormDefinition]:
        return copy.deepcopy(sorted((f for (v, _), f in self.forms.items() if v == vendor_id),
                                    key=lambda f: f.key))

    def put(self, form: FormDefinition) -> None:
        stored = copy.deepcopy(form)
        old = self.forms.get((form.vendor_id, form.key))
        if old is not None:  # an upsert keeps when the form was first made
            stored.created_at = old.created_at
        memory_set(self.tx, self.forms, (form.vendor_id, form.key), stored)

    def delete(self, vendor_id: str, key: str) -> bool:
        if (vendor_id, key) not in self.forms:
            return False
        memory_delete(self.tx, self.forms, (vendor_id, key))
        return True

    def claim_request(self, token: str, *, submitted_at: datetime,
                      answers: dict[str, Any]) -> bool:
        current = self.tx.get_form_request(token)
        if current is None or current.submitted_at is not None:
            return False
        self.tx.put_form_request(dataclasses.replace(current, submitted_at=submitted_at,
                                                     answers=copy.deepcopy(answers)))
        return True

    def requests_for_client(self, client_id: str) -> list[FormRequest]:
        found = [r for r in self.tx.t.form_requests.values()  # type: ignore[attr-defined]
                 if r.client_id == client_id]
        return sorted(found, key=lambda r: (r.created_at, r.id))


__all__ = ["FormRecords", "MemoryForms", "SqlForms", "form_records"]
