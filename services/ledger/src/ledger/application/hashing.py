"""The per-stream hash chain of events (DESIGN invariant 8).

Each event's hash is an HMAC-SHA256, keyed by the service's chain key, over the previous
event's hash and a canonical JSON of everything the row records, its global position
included (hash scheme 2; events of scheme 1, written before, are checked as they were
hashed, without it). Changing, removing or inserting a row without the key breaks the
chain; removing a whole stream or its newest events is caught by the checkpoints
(:mod:`ledger.application.checkpoints`).

The canonical JSON is the bytes of ``json.dumps(record, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8, as every event so far was
hashed. orjson writes the same bytes for the same record (keys sorted by code point,
non-ASCII text as UTF-8, the same escapes) about five times faster, except for floats,
which it may write in another form (``1e-05`` against ``0.00001``): a record holding a
float (no event the ledger writes does) or anything else orjson refuses is written by
``json.dumps`` as before.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from ledger.application.records import StoredEvent


def canonical(s: StoredEvent) -> bytes:
    """The bytes the hash covers: every recorded field of the event but its hashes."""
    record = hashed_record(s)
    if not has_float(s.data):  # the only field that may hold one
        try:
            return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # what it does not take (an int past 64 bits)
            pass
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal_matches(key: bytes, s: StoredEvent) -> bool:
    """Whether ``s.hash`` is the chain hash of ``s`` (its content and ``s.prev_hash``).

    The orjson bytes are tried first, without looking for floats: when they match, they are
    what was hashed (no one without the key makes a matching hash), so the content is intact.
    Only when they do not is the ``json.dumps`` form (:func:`canonical`) tried as well: a
    record holding a float, or damage.
    """
    expected = bytes(s.hash)
    record = hashed_record(s)
    try:
        fast = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        fast = None
    if fast is not None and chain_hash(key, s.prev_hash, fast) == expected:
        return True
    exact = canonical(s)
    return exact != fast and chain_hash(key, s.prev_hash, exact) == expected


def hashed_record(s: StoredEvent) -> dict[str, object]:
    """What the hash covers, as a JSON object."""
    record: dict[str, object] = {
        "stream_id": s.stream_id,
        "version": s.version,
        "event_id": str(s.event_id),
        "event_type": s.event_type,
        "schema_version": s.schema_version,
        "data": s.data,
        "effective_date": s.effective_date.isoformat(),
        "recorded_at": s.recorded_at.isoformat(),
        "actor": s.actor,
        "correlation_id": str(s.correlation_id) if s.correlation_id else None,
        "causation_id": str(s.causation_id) if s.causation_id else None,
        "idempotency_key": s.idempotency_key,
    }
    if s.hash_scheme >= 2:
        record["position"] = s.position
    return record


# what holds no float and nothing inside: skipped without a call (most of a record)
_LEAVES = frozenset({str, int, bool, type(None), date, datetime, Decimal, UUID})


def has_float(value: Any) -> bool:
    """Whether a float is anywhere in ``value`` (dicts, lists and tuples walked).

    It runs on every event sealed and every command digested: the exact types of plain
    JSON and of a model's dump are tested first, ``isinstance`` only for anything else
    (a subclass of dict, list, tuple or float)."""
    kind = type(value)
    if kind is dict:
        inner: Any = value.values()
    elif kind is list or kind is tuple:
        inner = value
    elif kind in _LEAVES:
        return False
    elif isinstance(value, dict):
        inner = value.values()
    elif isinstance(value, list | tuple):
        inner = value
    else:
        return isinstance(value, float)
    for v in inner:  # noqa: SIM110 -- any() over a generator costs twice as much here
        if type(v) not in _LEAVES and has_float(v):
            return True
    return False


def chain_hash(key: bytes, prev_hash: bytes | None, record: bytes) -> bytes:
    """HMAC-SHA256 under ``key`` of ``prev_hash`` (none for a stream's first event) then
    ``record``. The keyed state is made once per key and copied per event: setting up the
    key was a third of each hash's cost."""
    h = _keyed(key).copy()
    if prev_hash:
        h.update(prev_hash)
    h.update(record)
    return h.digest()


@functools.lru_cache(maxsize=4)  # the chain key, and in tests a few others
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)
