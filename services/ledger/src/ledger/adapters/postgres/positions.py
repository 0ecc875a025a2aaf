"""Open items, unapplied credit, balances and aging as of an effective date, in SQL.

The open amount of an item on a day is the sum of its receivables postings effective by
then (and, with ``known_at``, recorded by then). Summing the whole journal for that grows
with history; instead each figure is **today's projection less what moved later**: an
item's ``open_amount`` is the sum of all its receivables postings (the rebuild proves it),
so on ``as_of`` it is ``open_amount`` less the postings effective after ``as_of`` (or
recorded after ``known_at``). Only items open today or moved since are read: a window, not
history (``kpis.items_now`` reads month ends the same way). Unapplied credit is the
account's ``unapplied`` plus the unapplied-cash postings made since.

An item over-paid on the day (a back-dated payment allocated against an increase that takes
effect later) counts as settled, its excess as the customer's unapplied credit; the
balance is the same either way. Buckets come from ``money.aging.LIMITS``: the SQL ``CASE``
is built from that rule, never written out by hand.

With ``known_at`` the window is "effective later or recorded later"; the journal has no
index on ``recorded_at``, so those (auditor) queries scan the journal.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from ledger.adapters.postgres.schema import accounts, events, journal, open_items
from ledger.domain.postings import Chart
from money.aging import BUCKETS, LIMITS, OLDEST

# Written into the statement, not bound: the partial indexes' predicates must match in
# any plan (a bound parameter does not prove ``open_amount <> 0`` for a generic plan).
_ZERO: Any = literal_column("0")
DISPUTE_EVENTS = ("InvoiceDisputed", "DisputeResolved")
_DISPUTE_TYPES: list[Any] = [literal_column(f"'{t}'") for t in DISPUTE_EVENTS]

# Each statement is built once per shape (which filters it has) with these parameters, so
# a request only binds values: building and caching a statement of this size per request
# cost more than running it.
_DAY = bindparam("day", type_=Date)
_KNOWN_AT = bindparam("known_at", type_=DateTime(timezone=True))
_ACCOUNT = bindparam("account_id", type_=Text)
_CURRENCY = bindparam("currency", type_=Text)
_JURISDICTIONS = bindparam("jurisdictions", type_=ARRAY(Text))
_BROKER = bindparam("broker_id", type_=Text)


@dataclass(frozen=True)
class AsOf:
    """An effective date, and optionally what the ledger had recorded by ``known_at``."""

    day: date
    known_at: datetime | None = None

    @property
    def known(self) -> bool:
        return self.known_at is not None


def _later(table: Table, known: bool) -> ColumnElement[bool]:
    """Rows of ``table`` (journal lines, events) not yet in effect or not yet known."""
    cond = table.c.effective_date > _DAY
    return or_(cond, table.c.recorded_at > _KNOWN_AT) if known else cond


def _within(table: Table, known: bool) -> ColumnElement[bool]:
    cond = table.c.effective_date <= _DAY
    return and_(cond, table.c.recorded_at <= _KNOWN_AT) if known else cond


@dataclass(frozen=True)
class Accounts:
    """Which accounts: one, or those of a currency, jurisdictions (upper case) or broker."""

    account_id: str | None = None
    currency: str | None = None
    jurisdictions: Collection[str] | None = None  # None: all
    broker_id: str | None = None

    def shape(self) -> Shape:
        return Shape(
            self.account_id is not None,
            bool(self.currency),
            self.jurisdictions is not None,
            self.broker_id is not None,
        )


@dataclass(frozen=True)
class Shape:
    """Which filters a statement has (its parameters carry the values)."""

    one: bool = False
    currency: bool = False
    jurisdictions: bool = False
    broker: bool = False
    known: bool = False

    def where(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if self.one:
            conds.append(accounts.c.account_id == _ACCOUNT)
        if self.currency:
            conds.append(accounts.c.currency == _CURRENCY)
        if self.jurisdictions:
            conds.append(func.upper(accounts.c.jurisdiction) == any_(_JURISDICTIONS))
        if self.broker:
            conds.append(accounts.c.broker_id == _BROKER)
        return conds

    def of(self, column: Any) -> list[ColumnElement[bool]]:
        """The one-account filter on another table's ``account_id`` (for its index)."""
        return [column == _ACCOUNT] if self.one else []


def _params(at: AsOf, which: Accounts) -> dict[str, Any]:
    out: dict[str, Any] = {"day": at.day, "known_at": at.known_at}
    out["account_id"], out["currency"] = which.account_id, which.currency
    out["jurisdictions"] = sorted(which.jurisdictions or ())
    out["broker_id"] = which.broker_id
    return out


def _shape(at: AsOf, which: Accounts) -> Shape:
    s = which.shape()
    return Shape(s.one, s.currency, s.jurisdictions, s.broker, at.known)


@cache
def _compiled(statement: Any) -> tuple[str, list[tuple[str, Any]]]:
    """The statement's SQL for asyncpg, and its parameters in order with their defaults."""
    compiled = statement.compile(dialect=asyncpg_dialect())
    names = compiled.positiontup or []
    return compiled.string, [(n, compiled.params[n]) for n in names]


async def _fetch(conn: AsyncConnection, statement: Any, params: dict[str, Any]) -> list[Any]:
    """Rows (``asyncpg.Record``: by index or name) of a statement built once. Straight
    through the driver: SQLAlchemy's result rows cost more than the query for a report
    of 100,000 accounts."""
    sql, order = _compiled(statement)
    driver: Any = (await conn.get_raw_connection()).driver_connection
    rows: list[Any] = await driver.fetch(sql, *(params.get(n, default) for n, default in order))
    return rows


def _sum(value: Any, *where: Any) -> Any:
    """``sum(value)`` over the rows meeting ``where``: 0 for none, and a bigint (a sum of
    bigints is numeric in PostgreSQL)."""
    total: Any = func.sum(value)
    if where:
        total = total.filter(and_(*where))
    return cast(func.coalesce(total, 0), BigInteger)


def bucket_sql(due: Any) -> Any:
    """``money.aging``'s bucket on the day of an item due on ``due``, as SQL."""
    days = cast(_DAY - due, Integer)
    return case(*((days <= most, name) for name, most in LIMITS), else_=OLDEST)


def _items(shape: Shape) -> Any:
    """(account_id, item_id, due_date, open, disputed) of every item whose open amount on
    the day is not zero (negative: over-paid)."""
    moved = (
        select(journal.c.account_id, journal.c.item_id, _sum(journal.c.amount).label("later"))
        .where(journal.c.ledger_account == Chart.RECEIVABLES.value, _later(journal, shape.known))
        .where(*shape.of(journal.c.account_id))
        .group_by(journal.c.account_id, journal.c.item_id)
        .cte("moved")
    )
    same_item = and_(
        open_items.c.account_id == moved.c.account_id, open_items.c.item_id == moved.c.item_id
    )
    # open today (moved since or not), then the items settled today that moved since: two
    # disjoint parts, each read through an index
    open_now = (
        select(
            open_items.c.account_id,
            open_items.c.item_id,
            open_items.c.due_date,
            (open_items.c.open_amount - func.coalesce(moved.c.later, 0)).label("open"),
        )
        .select_from(open_items.outerjoin(moved, same_item))
        .where(open_items.c.open_amount != _ZERO, *shape.of(open_items.c.account_id))
    )
    settled_now = (
        select(
            open_items.c.account_id,
            open_items.c.item_id,
            open_items.c.due_date,
            (open_items.c.open_amount - moved.c.later).label("open"),
        )
        .select_from(moved.join(open_items, same_item))
        .where(open_items.c.open_amount == _ZERO)
    )
    positions = union_all(open_now, settled_now).subquery("positions")
    invoice_id = events.c.data.op("->>")(literal_column("'invoice_id'"))
    disputes = (
        select(
            events.c.stream_id,
            invoice_id.label("item_id"),
            (events.c.event_type == DISPUTE_EVENTS[0]).label("disputed"),
        )
        .where(events.c.event_type.in_(_DISPUTE_TYPES), _within(events, shape.known))
        .where(*shape.of(events.c.stream_id))
        .ext(distinct_on(events.c.stream_id, invoice_id))
        .order_by(
            events.c.stream_id, invoice_id, events.c.effective_date.desc(), events.c.position.desc()
        )
        .subquery("disputes")
    )
    return (
        select(
            positions.c.account_id,
            positions.c.item_id,
            positions.c.due_date,
            positions.c.open,
            func.coalesce(disputes.c.disputed, false()).label("disputed"),
        )
        .select_from(
            positions.outerjoin(
                disputes,
                and_(
                    disputes.c.stream_id == positions.c.account_id,
                    disputes.c.item_id == positions.c.item_id,
                ),
            )
        )
        .where(positions.c.open != 0)
        .cte("items")
    )


def _moved_cash(shape: Shape) -> Any:
    """(account_id, later): the unapplied-cash postings per account after the day."""
    return (
        select(journal.c.account_id, _sum(journal.c.amount).label("later"))
        .where(journal.c.ledger_account == Chart.UNAPPLIED_CASH.value, _later(journal, shape.known))
        .where(*shape.of(journal.c.account_id))
        .group_by(journal.c.account_id)
        .subquery("moved_cash")
    )


def _cash_then(cash: Any) -> Any:
    """An account's unapplied cash on the day: today's, less what came in since."""
    return accounts.c.unapplied + func.coalesce(cash.c.later, 0)


# What a report shows of each account, and the figures of an aging row, in the order of
# the statement's columns.
ACCOUNT_COLUMNS = ("account_id", "name", "currency", "jurisdiction", "broker_id")
FIGURES = (*BUCKETS, "disputed", "total", "unapplied")
_ACCOUNT_COLUMNS = tuple(accounts.c[name] for name in ACCOUNT_COLUMNS)


@cache
def _aging(shape: Shape) -> Any:
    """Per account with anything open or unapplied: each bucket, disputed and total of
    what is open (items above zero), and unapplied credit with over-payments added."""
    items = _items(shape)
    aged = select(
        items.c.account_id,
        items.c.open,
        items.c.disputed,
        bucket_sql(items.c.due_date).label("bucket"),
    ).subquery("aged")
    cash = _moved_cash(shape)
    owed = aged.c.open > 0
    total = _sum(aged.c.open, owed)
    unapplied = _cash_then(cash) - _sum(aged.c.open, aged.c.open < 0)
    figures = {name: _sum(aged.c.open, owed, aged.c.bucket == name) for name in BUCKETS}
    figures |= {
        "disputed": _sum(aged.c.open, owed, aged.c.disputed),
        "total": total,
        "unapplied": unapplied,
    }
    return (
        select(*_ACCOUNT_COLUMNS, *(figures[name].label(name) for name in FIGURES))
        .select_from(
            accounts.outerjoin(aged, aged.c.account_id == accounts.c.account_id).outerjoin(
                cash, cash.c.account_id == accounts.c.account_id
            )
        )
        .where(*shape.where())
        # one group per account (its key decides the other columns of accounts)
        .group_by(accounts.c.account_id, cash.c.later)
        .having(or_(total != 0, unapplied != 0))
        .order_by(accounts.c.account_id.collate("C"))
    )


async def aging(conn: AsyncConnection, at: AsOf, which: Accounts) -> list[Any]:
    """One row per account with anything open or unapplied on the day: the account's
    name, currency, jurisdiction and broker, each bucket, disputed, total and unapplied
    (minor units), in account order."""
    return await _fetch(conn, _aging(_shape(at, which)), _params(at, which))


@cache
def _balance(known: bool) -> Any:
    shape = Shape(one=True, known=known)
    items = _items(shape)
    owed = items.c.open > 0
    owes = select(
        _sum(items.c.open, owed).label("open"),
        _sum(items.c.open, owed, items.c.due_date < _DAY).label("overdue"),
        _sum(items.c.open, owed, items.c.disputed).label("disputed"),
        (-_sum(items.c.open, items.c.open < 0)).label("over"),
    ).subquery("owes")
    cash = _moved_cash(shape)
    return (
        select(
            accounts.c.currency,
            owes.c.open,
            owes.c.overdue,
            owes.c.disputed,
            (owes.c.over + _cash_then(cash)).label("unapplied"),
        )
        .select_from(
            accounts.join(owes, true()).outerjoin(cash, cash.c.account_id == accounts.c.account_id)
        )
        .where(accounts.c.account_id == _ACCOUNT)
    )


async def balance(conn: AsyncConnection, account_id: str, at: AsOf) -> dict[str, Any] | None:
    """The account (currency) with its open, overdue, disputed and unapplied amounts on
    the day; None when there is no such account."""
    params = _params(at, Accounts(account_id=account_id))
    rows = await _fetch(conn, _balance(at.known), params)
    return dict(rows[0]) if rows else None


@cache
def _open_items(shape: Shape, bucket: bool, disputed: bool) -> Any:
    items = _items(shape)
    where = bucket_sql(items.c.due_date)
    q = (
        select(
            *_ACCOUNT_COLUMNS,
            items.c.item_id,
            items.c.due_date,
            items.c.open,
            items.c.disputed,
            where.label("bucket"),
        )
        .join(items, items.c.account_id == accounts.c.account_id)
        .where(items.c.open > 0, *shape.where())
        .order_by(
            accounts.c.account_id.collate("C"), items.c.due_date, items.c.item_id.collate("C")
        )
    )
    if bucket:
        q = q.where(where == bindparam("bucket", type_=Text))
    if disputed:
        q = q.where(items.c.disputed == bindparam("disputed"))
    return q


async def open_items_on(
    conn: AsyncConnection, at: AsOf, which: Accounts, *, bucket: str | None, disputed: bool | None
) -> list[Any]:
    """The items open on the day (over-paid ones are credit, not listed) with their
    account, bucket and open amount, in (account, due date, item) order."""
    q = _open_items(_shape(at, which), bucket is not None, disputed is not None)
    params = _params(at, which) | {"bucket": bucket, "disputed": disputed}
    return await _fetch(conn, q, params)
