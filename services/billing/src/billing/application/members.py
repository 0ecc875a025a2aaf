"""A member list (rows of a CSV or XLSX upload) as the commands that bring a policy to it.

A member not on the policy is enrolled; one whose tier differs changes tier on
``effective_on``; one whose ``end`` is filled is terminated then. With ``complete``, the
list is the whole membership: members missing from it are terminated the day before
``effective_on``. Rows are checked first; a bad row refuses the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from billing.domain import decide as cmd
from billing.domain.calendar import ONE_DAY
from billing.domain.errors import InvalidMemberFile
from billing.domain.state import Policy
from servicekit.types import FIRST_DAY, LAST_DAY

_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_TIER = re.compile(r"\*|[A-Za-z0-9._\-]{1,32}")


@dataclass(frozen=True)
class Row:
    line: int  # its row in the file (1 is the header), as refusals name it
    member_id: str
    name: str
    tier: str
    start: date | None
    end: date | None
    premium: Decimal | None


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    day = _day(value)
    if day is None:
        raise InvalidMemberFile(f"{where}: {value!r} is not a date (YYYY-MM-DD)", field=where)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidMemberFile(
            f"{where}: {day} is outside the business dates {FIRST_DAY}..{LAST_DAY}", field=where
        )
    return day


def _day(value: str) -> date | None:
    """A date, or a spreadsheet's date and time at midnight (``2026-01-01 00:00:00``)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.date() if moment.time() == time() and moment.tzinfo is None else None


def _premium(value: str, where: str) -> Decimal:
    try:
        premium = Decimal(value)
    except InvalidOperation:
        premium = Decimal("NaN")
    if not premium.is_finite() or premium < 0:
        raise InvalidMemberFile(f"{where}: premium {value!r} is not an amount", field=where)
    return premium


def parse(rows: list[tuple[int, dict[str, str]]]) -> list[Row]:
    """The rows (each with its row number in the file) checked, a bad one refused."""
    out, seen = [], set()
    for n, r in rows:
        member_id, tier = r.get("member_id", ""), r.get("tier", "")
        if not _ID.fullmatch(member_id):
            raise InvalidMemberFile(
                f"row {n}: member_id {member_id!r} is not an id", field=f"row {n}.member_id"
            )
        if member_id in seen:
            raise InvalidMemberFile(
                f"row {n}: member {member_id} appears twice", field=f"row {n}.member_id"
            )
        seen.add(member_id)
        if not _TIER.fullmatch(tier):
            raise InvalidMemberFile(f"row {n}: tier {tier!r} is not a tier", field=f"row {n}.tier")
        premium = _premium(r["premium"], f"row {n}.premium") if r.get("premium") else None
        out.append(
            Row(
                n,
                member_id,
                (r.get("name") or member_id)[:300],
                tier,
                _date(r.get("start", ""), f"row {n}.start"),
                _date(r.get("end", ""), f"row {n}.end"),
                premium,
            )
        )
    return out


def changes(
    policy: Policy, rows: list[Row], *, effective_on: date | None, complete: bool, reason: str
) -> list[cmd.Command]:
    out: list[cmd.Command] = []
    base = {"policy_id": policy.policy_id, "reason": reason}
    for row in rows:
        n = row.line
        member = policy.members.get(row.member_id)
        if member is None:
            start = row.start or effective_on
            if start is None:
                raise InvalidMemberFile(
                    f"row {n}: a new member needs a start date", field=f"row {n}.start"
                )
            out.append(
                cmd.EnrolMember(
                    **base,
                    member_id=row.member_id,
                    name=row.name,
                    tier=row.tier,
                    start=start,
                    end=row.end,
                )
            )
            continue
        if member.spans[-1].tier != row.tier:
            if effective_on is None:
                raise InvalidMemberFile(
                    f"row {n}: member {row.member_id} changes tier; say from when (effective_on)",
                    field="effective_on",
                )
            out.append(
                cmd.ChangeTier(
                    **base, member_id=row.member_id, tier=row.tier, changed_on=effective_on
                )
            )
        if row.end is not None and row.end != member.end:
            out.append(cmd.TerminateMember(**base, member_id=row.member_id, end=row.end))
    if complete:
        if effective_on is None:
            raise InvalidMemberFile("a complete list needs effective_on", field="effective_on")
        listed = {r.member_id for r in rows}
        for member in policy.members.values():
            last = effective_on - ONE_DAY
            if member.member_id not in listed and (member.end is None or member.end > last):
                out.append(cmd.TerminateMember(**base, member_id=member.member_id, end=last))
    return out
