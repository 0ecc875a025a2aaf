"""The statement PDF prints names and descriptions in any script its fonts cover: a customer
named in Chinese or with accented letters reads back from the PDF as it was given."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from ledger.adapters.documents.statement_pdf import statement_pdf


def _body(name: str, description: str = "Premium", lines: int = 2) -> dict[str, Any]:
    return {
        "account_id": "ACC-HK-1",
        "name": name,
        "currency": "HKD",
        "from": "2026-02-01",
        "to": "2026-02-28",
        "opening_balance": "0.00",
        "closing_balance": f"{100 * lines}.00",
        "lines": [
            {
                "date": "2026-02-03",
                "reference": f"INV-{n}",
                "description": description,
                "debit": "100.00",
                "credit": "",
                "balance": f"{100 * (n + 1)}.00",
            }
            for n in range(lines)
        ],
    }


def _read(pdf: bytes) -> tuple[str, set[str]]:
    """The text of the pages and the names of the embedded fonts. pypdf reads each character
    of the CJK font (whose codes are two bytes) with a NUL before it; those are dropped."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return text, fonts


@pytest.mark.parametrize(
    "name",
    [
        "陳大文有限公司",  # Hong Kong, traditional characters
        "陈伟强贸易私人有限公司",  # Singapore, simplified characters
        "Zoë Müller-Łukasiewicz, Crème Brûlée S.à r.l.",
        "Ελληνική Ασφαλιστική Ωμέγα",
        "ООО Страхование",  # noqa: RUF001 (Cyrillic on purpose)
        "Công ty Bảo hiểm Nguyễn",
        "山田商事株式会社",
        "한국보험",
    ],
)
def test_a_customer_name_in_any_covered_script_prints(name: str) -> None:
    text, _fonts = _read(statement_pdf(_body(name)))
    assert name in text
    assert "Statement of account" in text
    assert "200.00" in text


def test_the_cjk_font_is_embedded_only_when_the_statement_needs_it() -> None:
    _text, latin = _read(statement_pdf(_body("Crème Brûlée Pte Ltd")))
    _text, chinese = _read(statement_pdf(_body("陳大文")))
    assert latin == {"FiraSans", "FiraSansBold"}
    assert chinese == {"FiraSans", "FiraSansBold", "NotoSansCJKHK"}


def test_the_subset_keeps_a_chinese_statement_small() -> None:
    pdf = statement_pdf(_body("陳大文", description="保費 二月", lines=60))
    text, _fonts = _read(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert text.count("保費 二月") == 60
    assert len(pdf) < 200_000  # the glyphs used, not the 19 MB collection


def test_a_long_chinese_description_is_cut_to_its_column() -> None:
    long = "團體醫療保險保費調整" * 6
    text, _fonts = _read(statement_pdf(_body("陳大文", description=long, lines=1)))
    assert long not in text
    assert "團體醫療保險" in text
    assert "..." in text
