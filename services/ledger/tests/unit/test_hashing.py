"""The hash chain's canonical JSON is the same bytes as it always was (hypothesis), so the
chains of events written before orjson wrote it still verify; the idempotency digest too,
so commands recorded before replay; and the event ids sealing draws are random version 4
UUIDs."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.application.handler import _canonical, request_hash
from ledger.application.hashing import (
    canonical,
    chain_hash,
    has_float,
    hashed_record,
    seal_matches,
)
from ledger.application.records import StoredEvent
from ledger.application.sealing import event_ids
from ledger.domain.commands import AllocationOrder

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=16,
)


# what _event builds a stored event of
_EVENT_PARTS = {
    "data": st.dictionaries(st.text(), _JSON, max_size=6),
    "text": st.text(),
    "scheme": st.sampled_from([1, 2]),
    "position": st.integers(min_value=0, max_value=2**62),
}


def _before(s: StoredEvent) -> bytes:
    """The canonical JSON as it was written before orjson: ``json.dumps``."""
    record = hashed_record(s)
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _event(data: dict[str, Any], text: str, scheme: int, position: int) -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id=text or "ACC-1",
        version=position % 1000 + 1,
        event_id=uuid.uuid4(),
        event_type="InvoiceIssued",
        schema_version=1,
        data=data,
        effective_date=date(2026, 1, 31),
        recorded_at=datetime(2026, 2, 1, 9, 30, 15, 123456, tzinfo=UTC),
        actor=text,
        correlation_id=uuid.uuid4() if position % 2 else None,
        causation_id=None,
        idempotency_key=text or None,
        prev_hash=None,
        hash=b"",
        hash_scheme=scheme,
    )


def _encodable(s: StoredEvent) -> bool:
    try:
        _before(s)
    except UnicodeEncodeError:  # a lone surrogate: refused before, refused now
        return False
    return True


@settings(max_examples=400)
@given(**_EVENT_PARTS)
def test_canonical_json_is_byte_identical_to_what_earlier_events_were_hashed_over(
    data: dict[str, Any], text: str, scheme: int, position: int
) -> None:
    s = _event(data, text, scheme, position)
    if _encodable(s):
        assert canonical(s) == _before(s)
        key = b"chain-key"
        assert chain_hash(key, b"\x01" * 32, canonical(s)) == chain_hash(
            key, b"\x01" * 32, _before(s)
        )


@settings(max_examples=300)
@given(**_EVENT_PARTS)
def test_seal_matches_accepts_exactly_what_was_hashed(
    data: dict[str, Any], text: str, scheme: int, position: int
) -> None:
    """The verifier's shortcut (orjson bytes first, floats not looked for) accepts an
    event sealed over the ``json.dumps`` bytes, floats included, and refuses it once its
    content, its link or the key differs."""
    unsealed = _event(data, text, scheme, position)
    if not _encodable(unsealed):
        return
    key, prev = b"chain-key", b"\x01" * 32
    s = replace(unsealed, prev_hash=prev, hash=chain_hash(key, prev, _before(unsealed)))
    assert seal_matches(key, s)
    assert not seal_matches(b"other-key", s)
    assert not seal_matches(key, replace(s, prev_hash=b"\x02" * 32))
    assert not seal_matches(key, replace(s, data={**data, "tampered": 1}))
    assert not seal_matches(key, replace(s, actor=text + "x"))


def test_an_event_of_the_ledgers_shape_is_hashed_by_orjson_and_unchanged() -> None:
    data = {
        "invoice_id": "INV-1",
        "currency": "SGD",
        "lines": [{"description": 'Prämie — 保险费\n\t"x"', "amount": "100.00"}],
        "issue_date": "2026-01-01",
    }
    s = _event(data, "clerk@example.com", 2, (12345 << 16) + 7)
    assert canonical(s) == _before(s)


def test_event_ids_are_distinct_random_version_4_uuids() -> None:
    ids = event_ids(per_read=8)
    drawn = [next(ids) for _ in range(100)]  # past several reads of the random source
    assert len(set(drawn)) == 100
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in drawn)
    assert all(uuid.UUID(str(u)) == u for u in drawn)


# -- the idempotency digest: the same as json.dumps wrote it ----------------------------

_PAYLOAD_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet=st.characters(max_codepoint=127))
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.uuids()
    | st.sampled_from(list(AllocationOrder))
)
_PAYLOAD = st.recursive(
    _PAYLOAD_LEAF,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=2)
    ),
    max_leaves=16,
)


def _digest_before(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode()).digest()


@settings(max_examples=500)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), _PAYLOAD, max_size=5))
def test_the_idempotency_digest_is_the_one_earlier_records_hold(payload: dict[str, Any]) -> None:
    assert request_hash(payload) == _digest_before(payload)


def test_a_command_payload_digest_is_unchanged() -> None:
    payload = {
        "path": {"account_id": "ACC-1"},
        "body": {
            "payment_id": "PAY-1",
            "amount": Decimal("120.50"),
            "received_on": date(2026, 1, 5),
            "allocation_order": AllocationOrder.OLDEST_DUE_FIRST,
            "allocations": None,
            "reference": "Überweisung 7",  # not ASCII: json.dumps escapes it
        },
    }
    assert request_hash(payload) == _digest_before(payload)
    del payload["body"]["reference"]  # type: ignore[attr-defined]
    assert request_hash(payload) == _digest_before(payload)


class _Dict(dict[str, Any]):
    pass


class _Float(float):
    pass


_ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.builds(_Float, st.floats(allow_nan=False))
    | st.text()
    | st.dates()
    | st.datetimes()
    | st.decimals(allow_nan=False)
    | st.uuids()
    | st.sampled_from(list(AllocationOrder)),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=4).map(_Dict)
    ),
    max_leaves=20,
)


def _floats_in(value: Any) -> bool:
    """The plain definition: a float anywhere in the dicts, lists and tuples."""
    if isinstance(value, dict):
        return any(_floats_in(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_floats_in(v) for v in value)
    return isinstance(value, float)


@settings(max_examples=400)
@given(value=_ANY_VALUE)
def test_has_float_finds_a_float_exactly_where_there_is_one(value: Any) -> None:
    """Its shortcuts (exact types tested first) change no answer, subclasses included."""
    assert has_float(value) is _floats_in(value)


@settings(max_examples=200)
@given(
    key=st.binary(min_size=1, max_size=80),
    prev=st.none() | st.binary(min_size=32, max_size=32),
    record=st.binary(max_size=2000),
)
def test_the_chain_hash_is_the_hmac_of_the_previous_hash_and_the_record(
    key: bytes, prev: bytes | None, record: bytes
) -> None:
    """As every stored event was hashed: one HMAC-SHA256 over the two, concatenated (a
    key longer than SHA-256's block is hashed first, as HMAC says)."""
    expected = hmac.digest(key, (prev or b"") + record, "sha256")
    assert chain_hash(key, prev, record) == expected
    assert chain_hash(key, prev, record) == expected  # the keyed state is not worn
