"""Generate the public event contracts in ``contracts/`` from the publishers' event models.

    python -m eventfeed.contracts --write   # regenerate the files
    python -m eventfeed.contracts --check   # exit 1 and list the files that drift

A publisher declares its events as ``EVENT_TYPES: dict[str, type[BaseModel]]`` (each class
with a ``schema_version`` class variable) in ``<package>.domain.events``; a publisher whose
package is not installed is left out (its files are then neither written nor checked).
Output: one JSON Schema per event type and version (``contracts/events/<Type>.v<n>.json``)
and the AsyncAPI 3.0 document ``contracts/asyncapi.yaml``. Schemas of older versions stay
in place as history; only the current version of each type is generated.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import GenerateJsonSchema

from eventfeed.envelope import (
    BILLING_SOURCE,
    CONTENT_TYPE,
    DUNNING_SOURCE,
    LEDGER_SOURCE,
    cloudevent_type,
    dataschema,
    publisher_of,
)

KAFKA_BINDING_VERSION = "0.5.0"


@dataclass(frozen=True)
class Publisher:
    key: str  # channel id in the AsyncAPI document
    topic: str
    source: str
    module: str
    description: str

    @property
    def name(self) -> str:
        return publisher_of(self.source)


PUBLISHERS = (
    Publisher(
        "ledger",
        "receivables.ledger.v1",
        LEDGER_SOURCE,
        "ledger.domain.events",
        "Every event of the receivables ledger (accounts, invoices, payments, allocations, "
        "credit notes, adjustments, write-offs, refunds, disputes), in order per account.",
    ),
    Publisher(
        "dunning",
        "receivables.dunning.v1",
        DUNNING_SOURCE,
        "dunning.domain.events",
        "Actions of dunning and credit control (reminders, fees, suspension and "
        "reinstatement, legal escalation, promises to pay, payment plans), per account.",
    ),
    Publisher(
        "billing",
        "receivables.billing.v1",
        BILLING_SOURCE,
        "billing.domain.events",
        "Changes of group policies (set-up, members, renewals, terminations, premium "
        "revisions, each with who and why) and the invoices and notes billing issued, in "
        "order per policy (key and subject = the policy id).",
    ),
)


class _DecimalStrings(GenerateJsonSchema):
    """Amounts (``Decimal`` serialised as text) are strings with a decimal pattern."""

    def generate_inner(self, schema: Any) -> Any:
        if self.mode == "serialization" and schema.get("type") == "decimal":
            return {
                "type": "string",
                "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
                "description": 'exact decimal amount as a string, e.g. "1250.00"',
            }
        return super().generate_inner(schema)


@dataclass(frozen=True)
class EventContract:
    publisher: Publisher
    type: str
    schema_version: int
    model: Any

    @property
    def filename(self) -> str:
        return f"{self.type}.v{self.schema_version}.json"

    def json_schema(self) -> dict[str, Any]:
        schema = self.model.model_json_schema(
            mode="serialization", schema_generator=_DecimalStrings
        )
        doc = (self.model.__doc__ or "").strip()
        out: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": dataschema(self.publisher.name, self.type, self.schema_version),
            "title": f"{self.type} v{self.schema_version}",
        }
        if doc and not doc.startswith("Usage docs"):
            out["description"] = " ".join(doc.split())
        schema.pop("title", None)
        schema.pop("description", None)
        out.update(schema)
        out["x-topic"] = self.publisher.topic
        out["x-cloudevents-type"] = cloudevent_type(self.publisher.name, self.type)
        return out


def installed_publishers() -> list[tuple[Publisher, list[EventContract]]]:
    found = []
    for pub in PUBLISHERS:
        try:
            module = importlib.import_module(pub.module)
        except ModuleNotFoundError:
            continue
        registry: Mapping[str, Any] = module.EVENT_TYPES
        contracts = [
            EventContract(pub, name, int(cls.schema_version), cls)
            for name, cls in sorted(registry.items())
        ]
        found.append((pub, contracts))
    return found


def _headers_schema() -> dict[str, Any]:
    def s(description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **extra}

    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in the Kafka protocol binding, binary "
        "content mode (header values are UTF-8 strings).",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_subject",
            "ce_time",
            "ce_position",
            "ce_streamversion",
            "ce_schemaversion",
            "content-type",
        ],
        "properties": {
            "ce_specversion": s("CloudEvents version", const="1.0"),
            "ce_id": s("event id: the deduplication key", format="uuid"),
            "ce_source": s("the publisher", enum=[LEDGER_SOURCE, DUNNING_SOURCE, BILLING_SOURCE]),
            "ce_type": s("receivables.<publisher>.<EventType>"),
            "ce_subject": s("the account id (billing: the policy id), also the message key"),
            "ce_time": s("when the publisher recorded the event (RFC 3339)", format="date-time"),
            "ce_dataschema": s(
                "urn:receivables:<publisher>:<EventType>:v<n>, the $id of the payload's JSON Schema"
            ),
            "ce_schemaversion": s("version of the payload schema", pattern="^[0-9]+$"),
            "ce_position": s(
                "global position in the publisher's event store (increases in commit order)",
                pattern="^[0-9]+$",
            ),
            "ce_streamversion": s(
                "version of the event in its account stream (1, 2, 3 ... without gaps)",
                pattern="^[0-9]+$",
            ),
            "ce_effectivedate": s("business date of the event", format="date"),
            "ce_partitionkey": s("the account id (CloudEvents partitioning extension)"),
            "ce_actor": s("who caused the event"),
            "ce_correlationid": s("correlation id of the request", format="uuid"),
            "ce_causationid": s("id of the message that caused it", format="uuid"),
            "content-type": s("media type of the payload", const=CONTENT_TYPE),
        },
    }


def asyncapi(found: list[tuple[Publisher, list[EventContract]]]) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for pub, contracts in found:
        refs = {}
        for c in contracts:
            msg_id = f"{pub.key}.{c.type}"
            messages[msg_id] = {
                "name": c.type,
                "title": f"{c.type} v{c.schema_version}",
                "summary": " ".join((c.model.__doc__ or c.type).split()),
                "contentType": CONTENT_TYPE,
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": {"$ref": f"events/{c.filename}"},
                "correlationId": {"$ref": "#/components/correlationIds/eventId"},
                "bindings": {"kafka": {"$ref": "#/components/messageBindings/accountKey"}},
                "x-cloudevents-type": cloudevent_type(pub.name, c.type),
            }
            refs[c.type] = {"$ref": f"#/components/messages/{msg_id}"}
        channels[pub.key] = {
            "address": pub.topic,
            "title": pub.topic,
            "description": pub.description + " Key: the account id. Delivery: at least "
            "once; deduplicate by ce_id or by (ce_subject, ce_streamversion).",
            "messages": refs,
            "bindings": {"kafka": {"topic": pub.topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"publish{pub.key.capitalize()}Events"] = {
            "action": "send",
            "title": f"{pub.name} publishes its events",
            "channel": {"$ref": f"#/channels/{pub.key}"},
            "messages": [{"$ref": f"#/channels/{pub.key}/messages/{t}"} for t in refs],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Receivables event stream",
            "version": "1.0.0",
            "description": "Events of the receivables ledger, dunning and billing, in the "
            "CloudEvents 1.0 envelope (Kafka binding, binary mode). See README.md beside "
            "this file. Generated by `python -m eventfeed.contracts --write`.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The broker of docker-compose.yml",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {"CloudEventHeaders": _headers_schema()},
            "correlationIds": {
                "eventId": {"description": "The event id", "location": "$message.header#/ce_id"}
            },
            "messageBindings": {
                "accountKey": {
                    "key": {"type": "string", "description": "the account id"},
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        },
    }


def _dump_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> tuple[dict[str, str], dict[str, int]]:
    """{relative path: content} of every generated file, and each type's current version."""
    found = installed_publishers()
    files: dict[str, str] = {}
    current: dict[str, int] = {}
    for _pub, contracts in found:
        for c in contracts:
            if c.type in current:
                raise SystemExit(f"two publishers define an event type {c.type}")
            files[f"events/{c.filename}"] = _dump_json(c.json_schema())
            current[c.type] = c.schema_version
    if len(found) == len(PUBLISHERS):  # the document needs every publisher's messages
        files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(found), sort_keys=False, width=100)
    return files, current


_VERSIONED = re.compile(r"^(?P<type>\w+)\.v(?P<n>\d+)\.json$")


def drift(root: Path) -> list[str]:
    """Paths (relative to ``root``) that differ from the code or are missing, and schema
    files that are no older version of a current type (older versions stay as history)."""
    files, current = render()
    problems = [p for p, text in files.items() if _read(root / p) != text]
    for path in sorted((root / "events").glob("*.json")):
        rel = path.relative_to(root).as_posix()
        if rel in files:
            continue
        m = _VERSIONED.match(path.name)
        if m is None or int(m["n"]) >= current.get(m["type"], 0):
            problems.append(rel)
    return problems


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def write(root: Path) -> list[str]:
    files, _ = render()
    changed = []
    for rel, text in files.items():
        path = root / rel
        if _read(path) != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(rel)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventfeed.contracts", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the files")
    mode.add_argument("--check", action="store_true", help="exit 1 if the files drift")
    parser.add_argument("--dir", type=Path, default=Path("contracts"))
    args = parser.parse_args(argv)
    if args.write:
        for rel in write(args.dir):
            print(f"wrote {args.dir / rel}")
        return 0
    problems = drift(args.dir)
    for rel in problems:
        print(f"drift: {args.dir / rel}", file=sys.stderr)
    if problems:
        print("run `python -m eventfeed.contracts --write` and commit", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
