"""Signed checkpoints of every stream's head: removing a stream or its tail is caught.

The per-stream hash chain catches a changed, inserted or removed event *inside* a
stream, but not a whole stream deleted with its head row, nor the newest events deleted
and the head rolled back. A checkpoint closes those gaps. It covers every event below a
gap-safe ``horizon`` (no event can still commit below it) and records

- running totals: how many streams and events lie below the horizon;
- the head (version and hash) of each stream that changed since the previous checkpoint;
- the previous checkpoint's digest, and its own: an HMAC with the chain key over all that.

Folding the checkpoints gives, for every stream, the version and hash it had at the last
checkpoint that saw it. ``verify`` then requires each such stream to exist, to reach that
version with that hash, and the totals below the last horizon to match. Checkpoints are
taken in the background (``LEDGER_CHECKPOINT_INTERVAL``) from the events table alone, so
they never hold a lock a command needs.

Pure: the digest, and the checks against what a scan of the events found.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime

from ledger.application.records import StoredEvent

Heads = dict[str, tuple[int, str]]  # stream id -> (version, hash as hex)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    taken_at: datetime
    horizon: int
    streams: int
    events: int
    heads: Heads
    prev_digest: bytes | None
    digest: bytes


def digest(
    key: bytes,
    *,
    seq: int,
    taken_at: datetime,
    horizon: int,
    streams: int,
    events: int,
    heads: Heads,
    prev_digest: bytes | None,
) -> bytes:
    body = {
        "seq": seq,
        "taken_at": taken_at.isoformat(),
        "horizon": horizon,
        "streams": streams,
        "events": events,
        "heads": {k: [v, h] for k, (v, h) in sorted(heads.items())},
    }
    record = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, (prev_digest or b"") + record.encode(), hashlib.sha256).digest()


def check_chain(key: bytes, checkpoints: list[Checkpoint]) -> list[str]:
    """Problems of the checkpoint chain itself: gaps, broken links, wrong digests."""
    problems: list[str] = []
    prev: bytes | None = None
    for expected, c in enumerate(checkpoints, start=1):
        if c.seq != expected:
            problems.append(f"checkpoint {expected} is missing (found {c.seq})")
            break
        if c.prev_digest != prev:
            problems.append(f"checkpoint {c.seq}: link to the previous checkpoint is broken")
        again = digest(
            key,
            seq=c.seq,
            taken_at=c.taken_at,
            horizon=c.horizon,
            streams=c.streams,
            events=c.events,
            heads=c.heads,
            prev_digest=c.prev_digest,
        )
        if not hmac.compare_digest(again, c.digest):
            problems.append(f"checkpoint {c.seq}: content does not match its digest")
        prev = c.digest
    return problems


def fold_heads(checkpoints: list[Checkpoint]) -> Heads:
    """Each stream's head as the latest checkpoint that saw it recorded it."""
    heads: Heads = {}
    for c in checkpoints:
        heads.update(c.heads)
    return heads


@dataclass
class Coverage:
    """What a scan of the events finds below the last checkpoint's horizon."""

    horizon: int
    streams: int = 0
    events: int = 0
    missing: dict[str, str] = field(default_factory=dict)  # stream id -> problem

    def add_stream(self, stream_id: str, stored: list[StoredEvent], expected: Heads) -> None:
        below = [s for s in stored if s.position < self.horizon]
        self.events += len(below)
        self.streams += 1 if below else 0
        want = expected.get(stream_id)
        if want is None:
            return
        version, hash_hex = want
        at = stored[version - 1] if 0 < version <= len(stored) else None
        if at is None or at.version != version:
            last = stored[-1].version if stored else 0
            self.missing[stream_id] = (
                f"checkpointed at version {version}, events now end at {last}: "
                "newest events removed"
                if stored
                else f"checkpointed at version {version}: the whole stream is gone"
            )
        elif bytes(at.hash).hex() != hash_hex:
            self.missing[stream_id] = f"version {version} differs from the checkpointed head"


def check_coverage(last: Checkpoint, coverage: Coverage) -> list[str]:
    """The totals below the last horizon, as the checkpoint counted them."""
    problems: list[str] = []
    if coverage.events != last.events:
        problems.append(
            f"checkpoint {last.seq} counted {last.events} events below its horizon, "
            f"{coverage.events} are there now"
        )
    if coverage.streams != last.streams:
        problems.append(
            f"checkpoint {last.seq} counted {last.streams} streams below its horizon, "
            f"{coverage.streams} are there now"
        )
    return problems


def removed_streams(expected: Heads, seen: set[str]) -> list[str]:
    return sorted(set(expected) - seen)
