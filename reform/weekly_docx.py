"""The 周报 as a Word file (python-docx): A4, 仿宋 for the body and 黑体 for the headings (the East Asian
font is set on every run, w:rFonts/@w:eastAsia, which python-docx's font.name alone does not), the
title and period, one section per part of reform.weekly's dict with its table, the chart picture
(reform.weekly_chart) and page numbers in the footer. Users' words (names, problems, findings) go in
as plain text runs: never a field code."""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reform import weekly_chart

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMBERS = "一二三四五六七八九十"


def _east_asian(element, name, latin=LATIN_FONT):
    """Set the Latin and the East Asian font of a style's or run's rPr."""
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)  # a theme font would win over the names set here
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), name)


def _styles(document):
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    _east_asian(normal.element, BODY_FONT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = name != "Title"
        style.font.color.rgb = None
        _east_asian(style.element, TITLE_FONT if name == "Title" else HEADING_FONT)


def _a4(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.4)
    return section


def _page_numbers(section):
    """— 1 — in the footer: a PAGE field of ours (no text of a user is ever a field)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _text(value):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _change(value):
    if value is None or value == 0:
        return "—" if value is None else "0"
    return f"+{value:g}" if value > 0 else f"{value:g}"


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(label))
        run.bold = True
        _east_asian(run._r, HEADING_FONT)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _text(value)  # plain text: whatever a user typed stays words
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)
    return table


class _Writer:
    def __init__(self, report):
        self.report = report
        self.document = Document()
        self.numbered = 0

    def heading(self, text):
        self.numbered += 1
        self.document.add_heading(f"{NUMBERS[self.numbered - 1]}、{text}", level=1)

    def paragraph(self, text):
        return self.document.add_paragraph(str(text))

    def build(self):
        document, report = self.document, self.report
        _styles(document)
        _page_numbers(_a4(document))
        title = document.add_paragraph(report["title"], style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        period = report["period"]
        line = document.add_paragraph(
            _("Period: %(start)s to %(end)s; figures at the end, changes since %(before)s.")
            % {"start": period["start"], "end": period["end"], "before": period["before"]}
        )
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.headlines()
        self.by_child()
        self.submissions()
        self.milestones()
        self.problems()
        self.visits()
        self.tasks()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def headlines(self):
        self.heading(_("Headline figures"))
        rows = [
            (f["label"], _text(f["value"]), _change(f["change"]), _text(f["before"])) for f in self.report["headlines"]
        ]
        _table(self.document, [_("Figure"), _("At the end"), _("Change since the start"), _("At the start")], rows)

    def by_child(self):
        table = self.report["by_child"]
        self.heading(_("By subunit"))
        if table["rows"]:
            header = [_("Subunits"), *[c["label"] for c in table["columns"]]]
            rows = [
                (r["unit"]["name"], *[f"{_text(v['value'])}（{_change(v['change'])}）" for v in r["values"]])
                for r in table["rows"]
            ]
            rows.append((_("Total"), *[f"{_text(v['value'])}（{_change(v['change'])}）" for v in table["total"]]))
            _table(self.document, header, rows)
            self.paragraph(_("In brackets: the change since the start of the period."))
        else:
            self.paragraph(_("No subunits."))
        self.chart()

    def chart(self):
        chart = self.report["chart"]
        if not chart["names"]:
            return
        picture = weekly_chart.png(chart)
        if picture is None:
            self.paragraph(_("No Chinese font is installed on this server: no chart was drawn."))
            return
        self.document.add_picture(io.BytesIO(picture), width=Cm(15))
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def submissions(self):
        found = self.report.get("submissions")
        if not found or not (found.get("rows") or found.get("texts")):
            return
        self.heading(_("Reports submitted"))
        if found.get("rows"):
            header = [_("Subunits"), *found.get("columns", [])]
            _table(self.document, header, [(r["unit"], *r["values"]) for r in found["rows"]])
        for text in found.get("texts", []):
            self.document.add_heading(str(text["unit"]), level=2)
            for part in text.get("parts", []):
                paragraph = self.document.add_paragraph()
                paragraph.add_run(f"{part['heading']}：").bold = True
                paragraph.add_run(str(part["text"]))

    def milestones(self):
        self.heading(_("Campaign milestones"))
        rows = [
            (
                m["campaign"],
                m["phase"],
                m["due_on"],
                m["figure"],
                _text(m["target"]),
                _text(m["actual"]),
                m["state_label"],
            )
            for m in self.report["milestones"]
        ]
        if not rows:
            self.paragraph(_("No campaign covers this period."))
            return
        header = [_("Campaign"), _("phase"), _("due on"), _("Figure"), _("Target"), _("Actual"), _("Status")]
        _table(self.document, header, rows)

    def problems(self):
        found = self.report["problems"]
        self.heading(_("Open and overdue problems"))
        self.paragraph(
            _("%(open)s problems not rectified, %(overdue)s of them past their deadline.")
            % {"open": found["open"], "overdue": found["overdue"]}
        )
        if found["rows"]:
            rows = [
                (
                    p["unit"],
                    p["description"],
                    p["deadline"] + (f"（{_('overdue')}）" if p["overdue"] else ""),
                    p["responsible"],
                    p["status_label"],
                )
                for p in found["rows"]
            ]
            header = [_("Unit"), _("Problem"), _("Rectify by"), _("responsible person"), _("Status")]
            _table(self.document, header, rows)

    def visits(self):
        found = self.report["visits"]
        self.heading(_("Visits in the period"))
        self.paragraph("；".join(f"{f['label']} {f['value']}" for f in found["figures"]))
        if found["rows"]:
            rows = [
                (v["date"], v["unit"], v["kind_label"], "、".join(v["visited"]), v["meetings"], v["findings"])
                for v in found["rows"]
            ]
            header = [_("date"), _("visiting unit"), _("kind"), _("units visited"), _("meetings held"), _("findings")]
            _table(self.document, header, rows)

    def tasks(self):
        found = self.report["tasks_overdue"]
        self.heading(_("Key tasks overdue"))
        if not found["rows"]:
            self.paragraph(_("No key task is overdue."))
            return
        rows = [(t["unit"], t["title"], t["deadline"], f"{t['progress']}%") for t in found["rows"]]
        _table(self.document, [_("responsible unit"), _("task"), _("deadline"), _("progress %")], rows)


def docx(report):
    """The Word file (bytes) of a report built by reform.weekly.build."""
    return _Writer(report).build()


def filename(report):
    """南平市周报_2026-11-16_2026-11-22.docx"""
    period = report["period"]
    return f"{report['unit']['name']}{_('Weekly report')}_{period['start']}_{period['end']}.docx"
