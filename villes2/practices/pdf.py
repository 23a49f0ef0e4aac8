"""The fiche of an experience record as a PDF (fpdf2, the DejaVu fonts of
`villes2.core.pdf`): the content of the record page in the same order, on A4, with
headings (also as PDF bookmarks), the table of the four criteria, and on every page a
footer with the record's address, "Villes²" and the page number.

Headings and labels follow the active language, like the page; the record's texts are
French (the PDF's language)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from villes2.core.pdf import BRAND, FONT, INK, prepare
from villes2.core.text import normalize_for_search

from .models import Practice
from .selectors import LeadContact

MUTED = (74, 83, 97)
LINE = (201, 208, 218)
TINT = (243, 245, 248)
BODY_SIZE = 10
LINE_HEIGHT = 5.2
CRITERIA_TABLE_HEIGHT = 60  # mm, with justifications of a line or two


class FichePDF(FPDF):
    """A4 pages with the record's address, the centre and the page number at the foot."""

    def __init__(self, *, url: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.url = url

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*LINE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 1.5)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(total)s") % {
            "page": self.page_no(),
            "total": self.str_alias_nb_pages,
        }
        self.cell(self.epw - 30, 5, f"Villes² — {self.url}", link=self.url)
        self.cell(30, 5, page, align="R")

    # --- Writing helpers -----------------------------------------------------------

    def heading(self, text: str, *, level: int = 1) -> None:
        size = {0: 17, 1: 13, 2: 11}[level]
        # Keep a heading with the start of what follows it.
        if self.will_page_break(size + 2 * LINE_HEIGHT):
            self.add_page()
        self.ln({0: 0, 1: 4, 2: 2}[level])
        self.start_section(text, level=level)
        self.set_font(FONT, "B", size)
        self.set_text_color(*(BRAND if level < 2 else INK))
        self.multi_cell(self.epw, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        if level == 1:
            self.set_draw_color(*BRAND)
            self.set_line_width(0.3)
            self.line(self.l_margin, self.get_y() + 0.8, self.w - self.r_margin, self.get_y() + 0.8)
            self.ln(2.5)
        else:
            self.ln(1)
        self.set_text_color(*INK)

    def paragraph(self, content: str, *, size: float = BODY_SIZE, color=INK) -> None:
        content = "\n".join(line.rstrip() for line in content.strip().splitlines())
        if not content:
            return
        self.set_font(FONT, "", size)
        self.set_text_color(*color)
        self.multi_cell(self.epw, LINE_HEIGHT, content, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)
        self.set_text_color(*INK)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        """Label and value side by side, as the page's definition list."""
        label_width = 42
        for label, value in rows:
            if not value:
                continue
            self.set_font(FONT, "B", BODY_SIZE)
            top = self.get_y()
            self.multi_cell(label_width, LINE_HEIGHT, label, new_x="RIGHT", new_y="TOP")
            self.set_font(FONT, "", BODY_SIZE)
            self.multi_cell(
                self.epw - label_width, LINE_HEIGHT, value, new_x="LMARGIN", new_y="NEXT"
            )
            self.set_y(max(self.get_y(), top + LINE_HEIGHT) + 1)

    def items(self, lines: list[str]) -> None:
        self.set_font(FONT, "", BODY_SIZE)
        for line in lines:
            self.set_x(self.l_margin + 2)
            self.multi_cell(self.epw - 2, LINE_HEIGHT, f"•  {line}", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def grid(self, headings: tuple[str, ...], rows: list[tuple[str, ...]], widths) -> None:
        self.set_font(FONT, "", BODY_SIZE - 1)
        self.set_draw_color(*LINE)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=LINE_HEIGHT,
            headings_style=FontFace(emphasis="BOLD", fill_color=TINT),
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            table.row(headings)
            for row in rows:
                table.row(row)
        self.ln(2)


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return _("%(amount)s €") % {"amount": formats.number_format(value, 0, force_grouping=True)}


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def _actor_line(actor) -> str:
    organisation = actor.organisation
    name = (
        f"{organisation.name} ({organisation.acronym})"
        if organisation.acronym
        else organisation.name
    )
    parts = [name, actor.get_role_display(), actor.role_detail]
    return ", ".join(str(part) for part in parts if part)


def fiche_file_name(practice: Practice) -> str:
    # "œ" kept as "oe", accents dropped: an ASCII name every browser saves as is.
    slug = slugify(normalize_for_search(practice.title))[:60].strip("-")
    return f"experience-{practice.pk}-{slug}.pdf" if slug else f"experience-{practice.pk}.pdf"


def fiche_pdf(practice: Practice, *, lead_contact: LeadContact | None, url: str) -> bytes:
    """The fiche of a record from `selectors.practice_for_page` (its relations are read
    from the prefetched rows, public ones only)."""
    pdf = prepare(
        FichePDF(url=url),
        title=practice.title,
        subject=_("Experience record"),
    )
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    # Masthead
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(pdf.epw / 2, 6, "Villes²")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.epw / 2, 6, _("Experience record"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if not practice.is_public:
        pdf.set_fill_color(*TINT)
        pdf.set_font(FONT, "B", BODY_SIZE)
        pdf.multi_cell(
            pdf.epw,
            7,
            _("Not published (%(status)s): only the staff sees this record.")
            % {"status": practice.get_status_display()},
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(2)
    pdf.heading(practice.title, level=0)
    if practice.title_en:
        pdf.paragraph(practice.title_en, size=11, color=MUTED)

    pdf.facts(
        [
            (_("Period"), practice.period_label),
            (_("Territories"), ", ".join(t.name for t in practice.territories.all())),
            (_("Themes"), ", ".join(c.label for c in practice.themes.all())),
            (
                _("Schemes"),
                ", ".join(f"{s.name} — {s.get_kind_display()}" for s in practice.schemes.all()),
            ),
            (
                _("Target publics"),
                "\n".join(
                    filter(None, [", ".join(practice.public_labels), practice.public_detail])
                ),
            ),
        ]
    )

    pdf.heading(_("Summary"))
    pdf.paragraph(practice.summary)
    if practice.summary_en:
        pdf.heading(_("Summary in English"), level=2)
        pdf.paragraph(practice.summary_en)

    for title, content in (
        (_("Context"), practice.context),
        (_("Objectives"), practice.objectives),
        (_("Actions carried out"), practice.actions),
    ):
        if content.strip():
            pdf.heading(title)
            pdf.paragraph(content)

    actors = list(practice.actors.all())
    if actors or practice.partners_text.strip():
        pdf.heading(_("Actors and partners"))
        if actors:
            pdf.items([_actor_line(actor) for actor in actors])
        else:
            pdf.paragraph(practice.partners_text)

    pdf.heading(_("Lead contact"))
    if lead_contact is not None:
        pdf.facts(
            [
                (_("Name"), lead_contact.name),
                (_("Job title"), lead_contact.job_title),
                (_("E-mail"), lead_contact.email),
                (_("Phone"), lead_contact.phone),
            ]
        )
    else:
        pdf.paragraph(_("Contact the practice through the Villes² resource centre."))

    fundings = list(practice.fundings.all())
    if practice.budget is not None or practice.budget_detail.strip() or fundings:
        pdf.heading(_("Budget and funding"))
        pdf.facts([(_("Budget"), _amount(practice.budget))])
        pdf.paragraph(practice.budget_detail)
        if fundings:
            pdf.grid(
                (_("Funder"), _("Amount")),
                [(f.display_name, _amount(f.amount) or "—") for f in fundings],
                (3, 1),
            )

    if practice.tools.strip():
        pdf.heading(_("Tools and resources"))
        pdf.paragraph(practice.tools)
    if practice.results.strip() or practice.evaluation.strip():
        pdf.heading(_("Results and evaluation"))
        for title, content in (
            (_("Results"), practice.results),
            (_("Evaluation"), practice.evaluation),
        ):
            if content.strip():
                pdf.heading(title, level=2)
                pdf.paragraph(content)
    for title, content in (
        (_("Key success factors"), practice.success_factors),
        (_("Difficulties"), practice.difficulties),
    ):
        if content.strip():
            pdf.heading(title)
            pdf.paragraph(content)

    pdf.heading(_("Transferability"))
    for title, content in (
        (_("What must exist locally"), practice.transfer_prerequisites),
        (_("What was specific to the place"), practice.transfer_specific),
        (_("How to adapt it"), practice.transfer_adaptation),
        (_("Cost and time to transfer"), practice.transfer_cost_time),
    ):
        pdf.heading(title, level=2)
        pdf.paragraph(content or _("Not stated."))
    if pdf.will_page_break(CRITERIA_TABLE_HEIGHT):
        pdf.add_page()  # the four criteria read together
    pdf.heading(_("Assessment against the four criteria"), level=2)
    pdf.grid(
        (_("Criterion"), _("Rating"), _("Justification")),
        [
            (
                str(row["label"]),
                str(row["rating_label"]) or _("Not rated"),
                row["justification"] or "—",
            )
            for row in practice.assessment
        ],
        (3, 1.8, 5),
    )

    attachments = list(practice.attachments.all())
    documents = list(practice.documents.all())
    events = list(practice.events.all())
    if attachments or documents or events:
        pdf.heading(_("Attachments and resources"))
        if attachments:
            pdf.heading(_("Attachments"), level=2)
            pdf.items([str(attachment) for attachment in attachments])
        if documents:
            pdf.heading(_("Linked documents"), level=2)
            pdf.items([f"{document.full_title} ({document.year})" for document in documents])
        if events:
            pdf.heading(_("Linked events"), level=2)
            pdf.items([f"{event.title} ({_date(event.start_date)})" for event in events])

    transferred_to = list(practice.transferred_to.all())
    transferred_from = list(practice.transferred_from.all())
    if transferred_to or transferred_from:
        pdf.heading(_("Transfers"))
        if transferred_from:
            pdf.heading(_("Transferred from"), level=2)
            pdf.items([f"{other.title} ({other.period_label})" for other in transferred_from])
        if transferred_to:
            pdf.heading(_("Transferred to"), level=2)
            pdf.items([f"{other.title} ({other.period_label})" for other in transferred_to])

    pdf.ln(4)
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    for line in _record_footer(practice):
        pdf.paragraph(line, size=9, color=MUTED)
    return bytes(pdf.output())


def _record_footer(practice: Practice) -> list[str]:
    lines = []
    if practice.last_reviewed_at:
        # The reviewer's name, never their login (a public page: no account names).
        reviewer = practice.last_reviewed_by
        name = reviewer.get_full_name() if reviewer else ""
        if name:
            lines.append(
                _("Reviewed by %(name)s on %(date)s.")
                % {"name": name, "date": _date(practice.last_reviewed_at)}
            )
        else:
            lines.append(_("Reviewed on %(date)s.") % {"date": _date(practice.last_reviewed_at)})
    if practice.first_published_at:
        lines.append(
            _("First published on %(date)s.") % {"date": _date(practice.first_published_at)}
        )
    return lines
