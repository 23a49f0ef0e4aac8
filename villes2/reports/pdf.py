"""The report as an A4 PDF (fpdf2, the shared DejaVu fonts of `villes2.core.pdf`): the
page's key figures and tables in the same order, each with its definition; the writing
helpers and the footer (address, page number) of the experience record fiche."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf.fonts import FontFace

from villes2.core.pdf import BRAND, FONT, prepare
from villes2.practices.pdf import BODY_SIZE, LINE, LINE_HEIGHT, MUTED, TINT, FichePDF

from .selectors import ActivityReport, Column, Figure, Row

TABLE_SIZE = BODY_SIZE - 1.5


class ReportPDF(FichePDF):
    def keep_together(self, height: float) -> None:
        """A new page unless `height` fits on this one: a block that fits on a page is
        not split (a lone "Total" on the next page); a longer one starts on this page if
        its heading and first rows do."""
        page = self.h - self.t_margin - self.b_margin
        if self.will_page_break(min(height, 45)) or (
            height < page and self.will_page_break(height)
        ):
            self.add_page()

    def figure_block(self, figure: Figure) -> None:
        """A figure: its title, definition and table."""
        self.heading(figure.title, level=2)
        self.paragraph(figure.definition, size=8.5, color=MUTED)
        if figure.rows:
            self.figure_table(figure)
        else:
            self.paragraph(_("Nothing in this year."), size=9)

    def figure_table(self, figure: Figure) -> None:
        headings = [figure.row_heading, *figure.headings]
        count = len(headings) - 1
        # The label column narrows as value columns are added (their headings must not
        # break inside a word).
        label_width = self.epw * max(0.3, 0.6 - 0.075 * count)
        widths = [label_width] + [(self.epw - label_width) / count] * count
        self.set_font(FONT, "", TABLE_SIZE)
        self.set_draw_color(*LINE)
        with self.table(
            col_widths=widths,
            width=self.epw,
            text_align=("LEFT", *("RIGHT",) * count),
            line_height=LINE_HEIGHT - 0.6,
            headings_style=FontFace(emphasis="BOLD", fill_color=TINT),
            first_row_as_headings=True,
            repeat_headings=1,
            padding=(0.6, 1.2),
        ) as table:
            table.row(headings)
            for row, cells in figure.lines():
                style = FontFace(emphasis="BOLD") if row.total else None
                table.row([row.label, *(cell.text for cell in cells)], style=style)
        self.ln(3)


def report_pdf(report: ActivityReport, *, url: str) -> bytes:
    title = _("Activity report %(year)s") % {"year": report.year}
    pdf = _new_pdf(url=url, title=title)
    pdf.add_page()

    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(pdf.epw / 2, 6, "Villes²")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    computed_on = formats.date_format(report.computed_on, "DATE_FORMAT")
    pdf.cell(
        pdf.epw / 2,
        6,
        _("Computed on %(date)s") % {"date": computed_on},
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.heading(title, level=0)
    pdf.paragraph(report.intro, size=9, color=MUTED)

    pdf.heading(_("Key figures"))
    pdf.figure_table(_key_figures_table(report))

    # Each block is drawn once on a scratch document to know its height, so that it is
    # kept on one page when it fits on one.
    scratch = _new_pdf(url=url, title=title)
    for section in report.sections:
        for index, figure in enumerate(section.figures):

            def draw(document, figure=figure, first=index == 0, section=section):
                if first:  # a section's heading stays with its first figure
                    document.heading(section.title)
                document.figure_block(figure)

            pdf.keep_together(_height(scratch, draw))
            draw(pdf)
    return bytes(pdf.output())


def _new_pdf(*, url: str, title: str) -> ReportPDF:
    pdf = prepare(ReportPDF(url=url), title=title, subject=_("Activity report"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    return pdf


def _height(scratch: ReportPDF, draw) -> float:
    """The height `draw` takes on a fresh page of `scratch` (more than a page if it
    breaks)."""
    scratch.add_page()
    page, top = scratch.page, scratch.get_y()
    draw(scratch)
    return (scratch.page - page) * scratch.eph + scratch.get_y() - top


def _key_figures_table(report: ActivityReport) -> Figure:
    figure = Figure(
        key="chiffres-cles",
        title=_("Key figures"),
        definition="",
        columns=[Column(_("Value"), "", compare=True)],
        row_heading=_("Figure"),
        year=report.year,
    )
    figure.rows = [
        Row(label=key.label, cells=[key.cell], previous=[key.previous])
        for key in report.key_figures
    ]
    return figure
