"""Lists are pages: `?limit=&offset=` in, {items, limit, offset, next_offset} out, in a stable
order (each list documents its order; ties are broken by id)."""
from __future__ import annotations

from typing import Annotated, Callable, Generic, Sequence, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(None, description="offset of the next page; null at the end")


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = 50,
                offset: Annotated[int, Query(ge=0, le=10**9, description="items to skip")] = 0
                ) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


def page_of(items: Sequence, params: PageParams, convert: Callable | None = None) -> dict:
    """A page from the whole (already ordered) list."""
    chunk = list(items[params.offset:params.offset + params.limit])
    more = len(items) > params.offset + params.limit
    return _page(chunk, params, more, convert)


def page_fetched(fetched: Sequence, params: PageParams, convert: Callable | None = None) -> dict:
    """A page from `limit + 1` items fetched at `offset` (the extra one says there is more)."""
    chunk = list(fetched[:params.limit])
    return _page(chunk, params, len(fetched) > params.limit, convert)


def _page(chunk: list, params: PageParams, more: bool, convert: Callable | None) -> dict:
    return {"items": [convert(i) for i in chunk] if convert else chunk, "limit": params.limit,
            "offset": params.offset,
            "next_offset": params.offset + len(chunk) if more else None}
