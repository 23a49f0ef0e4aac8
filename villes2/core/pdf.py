"""PDFs made with fpdf2 (pure Python, installs with pip alone) and the vendored DejaVu
fonts, so that accents and "œ" print without any system font (fonts/README.md). Used by
the attendance certificates and the experience record fiches."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
INK = (33, 37, 41)
BRAND = (0, 84, 147)

PDF = TypeVar("PDF", bound=FPDF)


def prepare(pdf: PDF, *, title: str, subject: str, lang: str = "fr-FR") -> PDF:
    """Register the DejaVu fonts (regular and bold, as `FONT`) and the metadata."""
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    pdf.set_author("Villes²")
    pdf.set_creator("Villes²")
    pdf.set_subject(subject)
    pdf.set_lang(lang)
    return pdf
