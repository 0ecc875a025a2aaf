"""A member list (rows of a CSV or XLSX upload) as the commands that bring a policy to it.

A member not on the policy is enrolled; one whose tier differs changes tier on
``effective_on``; one whose ``end`` is filled is terminated then. With ``complete``, the
list is the whole membership: members missing from it are terminated the day before
``effective_on``. Rows are checked first; a bad row refuses the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from billing.domain import decide as cmd
from billing.domain.calendar import ONE_DAY
from billing.domain.errors import InvalidMemberFile
from billing.domain.state import Policy

_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_TIER = re.compile(r"\*|[A-Za-z0-9._\-]{1,32}")


@dataclass(frozen=True)
class Row:
    member_id: str
    name: str
    tier: str
    start: date | None
    end: date | None
    premium: Decimal | None


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidMemberFile(
            f"{where}: {value!r} is not a date (YYYY-MM-DD)", field=where
        ) from None


def parse(rows: list[dict[str, str]]) -> list[Row]:
    out, seen = [], set()
    for n, r in enumerate(rows, start=2):  # row 1 is the header
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
        premium = None
        if r.get("premium"):
            try:
                premium = Decimal(r["premium"])
            except InvalidOperation:
                raise InvalidMemberFile(
                    f"row {n}: premium {r['premium']!r} is not an amount", field=f"row {n}.premium"
                ) from None
        out.append(
            Row(
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
    for n, row in enumerate(rows, start=2):
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
