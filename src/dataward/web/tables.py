"""Tables every page shares: sort, filter, search, paginate, and export the filtered rows.

A table reads a QuerySet (sorted, filtered and sliced in the database, so a million findings
cost one page) or a list of rows from a package's service (sorted and filtered in memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

PER_PAGE = 50
EXPORT_LIMIT = 1_000_000


@dataclass(frozen=True)
class Column:
    """One column: where its value comes from, its heading, and the field to sort by."""

    key: str
    label: str
    sort: str | None = None
    value: Callable[[Any], Any] | None = None
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Filter:
    """A drop-down filter: the query parameter, its label, choices and the field it compares."""

    param: str
    label: str
    choices: Sequence[tuple[str, str]]
    lookup: str


@dataclass
class Table:
    """Rows with their columns, filters and search fields; ``name`` names exported files."""

    name: str
    columns: list[Column]
    rows: QuerySet[Any] | Sequence[Any]
    filters: list[Filter] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    default_sort: str = ""
    per_page: int = PER_PAGE


def cell(row: Any, column: Column) -> Any:
    """Return a row's value for a column: the column's function, a dict key or an attribute."""
    if column.value is not None:
        return column.value(row)
    value: Any = row
    for part in column.key.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def text(value: Any) -> str:
    """Return a cell as text for display and export."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _filtered(table: Table, params: dict[str, str]) -> QuerySet[Any] | list[Any]:
    rows = table.rows
    wanted = {f.param: params[f.param] for f in table.filters if params.get(f.param)}
    allowed = {f.param: {c[0] for c in f.choices} for f in table.filters}
    wanted = {k: v for k, v in wanted.items() if v in allowed[k]}
    query = params.get("q", "").strip()[:100]
    lookups = {f.param: f.lookup for f in table.filters}
    if isinstance(rows, QuerySet):
        rows = rows.filter(**{lookups[k]: v for k, v in wanted.items()})
        if query and table.search:
            q = Q()
            for name in table.search:
                q |= Q(**{f"{name}__icontains": query})
            rows = rows.filter(q)
        return rows
    out = list(rows)
    for param, value in wanted.items():
        column = Column(lookups[param].replace("__", "."), "")
        out = [r for r in out if text(cell(r, column)) == value]
    if query and table.search:
        needle = query.lower()
        cols = [Column(s.replace("__", "."), "") for s in table.search]
        out = [r for r in out if any(needle in text(cell(r, c)).lower() for c in cols)]
    return out


def _sorted(table: Table, rows: QuerySet[Any] | list[Any], sort: str) -> QuerySet[Any] | list[Any]:
    keys = {c.sort for c in table.columns if c.sort}
    name = sort.lstrip("-")
    if name not in keys:
        sort = table.default_sort
        name = sort.lstrip("-")
    if not name:
        return rows
    if isinstance(rows, QuerySet):
        return rows.order_by(sort, "pk")
    column = Column(name.replace("__", "."), "")

    def key(row: Any) -> tuple[bool, Any]:
        value = cell(row, column)
        return (value is None, value if isinstance(value, (int, float)) else text(value))

    return sorted(rows, key=key, reverse=sort.startswith("-"))


def select(table: Table, params: dict[str, str]) -> QuerySet[Any] | list[Any]:
    """Return the table's rows filtered, searched and sorted as the query parameters ask."""
    return _sorted(table, _filtered(table, params), params.get("sort", ""))


def context(request: HttpRequest, table: Table) -> dict[str, Any]:
    """Return what ``web/_table.html`` renders: one page of cells, sort links, filters, pages."""
    params = {k: str(v) for k, v in request.GET.items() if k != "export"}
    rows = select(table, params)
    number = params.get("page", "1")
    paginator = Paginator(rows, table.per_page)
    page = paginator.get_page(number)
    current = params.get("sort", table.default_sort)

    def link(**changes: Any) -> str:
        merged = {**params, **{k: str(v) for k, v in changes.items()}}
        return "?" + urlencode({k: v for k, v in merged.items() if v})

    headers = []
    for column in table.columns:
        sort_link = ""
        if column.sort:
            flip = f"-{column.sort}" if current == column.sort else column.sort
            sort_link = link(sort=flip, page="")
        arrow = "▲" if current == column.sort else "▼" if current == f"-{column.sort}" else ""
        headers.append({"label": column.label, "link": sort_link, "arrow": arrow})
    body = [
        [{"text": text(cell(r, c)), "link": c.link(r) if c.link else ""} for c in table.columns]
        for r in page.object_list
    ]
    return {
        "table": table,
        "headers": headers,
        "body": body,
        "page": page,
        "objects": list(page.object_list),
        "prev_link": link(page=page.previous_page_number()) if page.has_previous() else "",
        "next_link": link(page=page.next_page_number()) if page.has_next() else "",
        "filters": [{"f": f, "value": params.get(f.param, "")} for f in table.filters],
        "q": params.get("q", ""),
        "hidden": [
            (k, v)
            for k, v in params.items()
            if k not in {"q", "page"} | {f.param for f in table.filters}
        ],
        "csv_link": link(export="csv", page=""),
        "xlsx_link": link(export="xlsx", page=""),
        "table_id": f"table-{table.name}",
    }


def _rows_as_text(table: Table, rows: Iterable[Any]) -> Iterator[list[str]]:
    yield [c.label for c in table.columns]
    for count, row in enumerate(rows):
        if count >= EXPORT_LIMIT:
            break
        yield [text(cell(row, c)) for c in table.columns]


def export(request: HttpRequest, table: Table, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """Return the whole filtered table as CSV (streamed) or XLSX."""
    rows = select(table, {k: str(v) for k, v in request.GET.items()})
    iterable = rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else rows
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(table.name[:31])
        for line in _rows_as_text(table, iterable):
            sheet.append([_xlsx_safe(v) for v in line])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(_csv_lines(table, iterable), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response


def _xlsx_safe(value: str) -> str:
    """Keep spreadsheet apps from running a cell as a formula (plain numbers stay numbers)."""
    if value[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def _csv_lines(table: Table, rows: Iterable[Any]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _rows_as_text(table, rows):
        writer.writerow([_xlsx_safe(v) for v in line])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def respond(
    request: HttpRequest, template: str, extra: dict[str, Any], table: Table
) -> HttpResponse | StreamingHttpResponse:
    """Render a page with a table: the file for ?export=, the table alone for htmx, or the page."""
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        return export(request, table, fmt)
    ctx = {**extra, **context(request, table)}
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == ctx["table_id"]:
        return render(request, "web/_table.html", ctx)
    return render(request, template, ctx)
