"""Rendering a queued notice into an e-mail, from Jinja2 templates per language.

Templates live in ``dunning/templates/<language>/<kind>.txt.j2``; the first line is
``Subject: …``, the rest the plain-text body. The overdue invoices are listed in it.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from dunning.domain.policies import LANGUAGES


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("dunning", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # plain-text mail
    )


def render_text(kind: str, language: str, data: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notice of ``kind`` (ReminderSent, FinalNoticeSent)."""
    lang = language if language in LANGUAGES else "en"
    text = _env().get_template(f"{lang}/{kind}.txt.j2").render(**data)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def render_notice(row: dict[str, Any], sender: str) -> EmailMessage:
    subject, body = render_text(row["kind"], row["language"], row["data"])
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["recipient"] or f"{row['data']['account_name']} (postal letter)"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(idstring=row["notice_id"], domain="dunning.receivables")
    msg["X-Dunning-Notice-Id"] = row["notice_id"]
    msg["X-Dunning-Account-Id"] = row["account_id"]
    msg["Content-Language"] = row["language"]
    msg.set_content(body)
    return msg
