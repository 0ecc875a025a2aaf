"""The typefaces of the PDF documents, shipped as Python packages so no system font is needed.

Fira Sans (regular and bold) sets Latin with its accented letters, Greek, Cyrillic and
Vietnamese. A document holding characters Fira Sans lacks (a customer named in Chinese, say)
also gets Noto Sans CJK, in its Hong Kong form, as the fallback for those characters; both
are under the SIL Open Font License. fpdf2 embeds only the glyphs a document uses.
Characters neither covers (Thai, Arabic ...) print as blanks and fpdf2 logs them.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg
import noto_cjk_sans_otc
from fpdf import FPDF
from fpdf.fonts import TTFFont

FAMILY = "FiraSans"
CJK = "NotoSansCJK"
NOTO_CJK = Path(str(noto_cjk_sans_otc.FONT_PATH))
HONG_KONG = 4  # the faces of the collection: JP, KR, SC, TC, HK, then the Mono ones


def set_fonts(pdf: FPDF, text: str) -> str:
    """Give ``pdf`` the fonts for ``text`` (every string the document will print); the
    family to set with ``pdf.set_font``, in the styles "" and "B"."""
    pdf.add_font(FAMILY, "", fontpkg.path("Fira Sans", 400))
    pdf.add_font(FAMILY, "B", fontpkg.path("Fira Sans", 700))
    main = pdf.fonts[FAMILY.lower()]
    assert isinstance(main, TTFFont)
    if any(ord(c) not in main.cmap for c in text if not c.isspace()):
        pdf.add_font(CJK, "", NOTO_CJK, collection_font_number=HONG_KONG)
        pdf.set_fallback_fonts([CJK], exact_match=False)
    return FAMILY
