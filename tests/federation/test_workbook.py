"""Formula-safe workbooks: text from users is written as text in every .xlsx the app produces."""

import datetime
import io
import pathlib
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from federation.workbook import Workbook, download, is_formula_like
from funding import services as funding
from funding.excel import FundingImporter
from funding.excel import build_template as funding_template
from orgtree import services
from orgtree.conversion import Conversion, Member, record_conversion
from orgtree.conversion_excel import ConversionImporter
from orgtree.conversion_excel import build_template as conversion_template
from orgtree.models import Role
from reform import services as reform

EVIL = '=HYPERLINK("x","y")'
ROOT = pathlib.Path(__file__).resolve().parents[2]


def written(values):
    book = Workbook()
    book.sheet("表").append(values)
    return load_workbook(io.BytesIO(book.to_bytes())).active[1]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", EVIL])
def test_text_that_excel_would_take_for_a_formula_is_written_as_quoted_text(text):
    assert is_formula_like(text)
    [cell] = written([text])
    # XML reads a carriage return back as a line feed where openpyxl does not escape it (its own writer);
    # with lxml installed (python-docx brings it) openpyxl escapes it and it comes back as written.
    assert cell.data_type == "s" and cell.value in (text, text.replace("\r", "\n")) and cell.quotePrefix


def test_other_values_keep_their_type_and_plain_text_is_not_quoted():
    day = datetime.date(2025, 3, 1)
    cells = written(["黄墩社区", 12, Decimal("30000.50"), day, None, "#N/A", "—", "a=b"])
    assert [c.data_type for c in cells] == ["s", "n", "n", "d", "n", "s", "s", "s"]
    assert [c.value for c in cells[:4]] == ["黄墩社区", 12, 30000.5, datetime.datetime(2025, 3, 1)]
    assert cells[5].value == "#N/A"  # text, not Excel's error value
    assert not any(c.quotePrefix for c in cells)
    assert not is_formula_like("黄墩社区") and not is_formula_like(12)


def test_characters_excel_cannot_store_are_dropped_instead_of_failing():
    [cell] = written(["王\x0b芳"])
    assert cell.value == "王芳"


def test_the_download_is_an_attachment_with_the_chinese_name():
    response = download(b"PK", "南平市-覆盖-20250301.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('南平市-覆盖-20250301.xlsx')}"


def test_no_code_outside_the_helper_creates_a_workbook():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("federation", "orgtree", "reform", "funding", "register", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "workbook.py"
        and ("import Workbook" in (text := path.read_text()) or "openpyxl.Workbook" in text)
        and "federation.workbook import" not in text
    ]
    assert offenders == []


def formula_cells_and_texts(data):
    book = load_workbook(io.BytesIO(data))  # not data_only: a formula would show as data_type "f"
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    return [c.coordinate for c in cells if c.data_type == "f"], [c.value for c in cells if isinstance(c.value, str)]


def test_names_and_texts_like_formulas_stay_text_in_every_export_and_template(client, tree, users):
    year = 2025
    for unit in (tree.county_a, tree.township_a, tree.village_a1):
        services.update_unit(None, unit, {"name": EVIL}, source="test")
    record_conversion(
        users.editor_a,
        tree.village_a1,
        Conversion(
            held_on=datetime.date(2021, 3, 15),
            entitled=100,
            present=90,
            members=[Member(EVIL, role=Role.CHAIR), Member("陈美华")],
        ),
    )
    reform.report_problem(
        users.editor_a,
        tree.village_a1,
        area="organization",
        description=EVIL,
        found_on=datetime.date(2025, 9, 1),
        deadline=datetime.date(2025, 10, 31),
        responsible=EVIL,
    )
    funding.record_funding(
        users.editor_a,
        tree.township_a,
        {"year": year, "category": "work_funds", "source": "same_level_budget", "budgeted": "30000", "note": EVIL},
    )
    client.force_login(users.editor_a)
    downloads = {
        "dashboard": client.get(reverse("orgtree:dashboard_export", args=[tree.county_a.pk])),
        "funding": client.get(reverse("funding:export", args=[tree.county_a.pk]), {"year": year}),
        "funding template": client.get(reverse("funding:template", args=[tree.county_a.pk]), {"year": year}),
        "会改联 template": client.get(reverse("orgtree:conversion_template", args=[tree.county_a.pk])),
        "diagnosis": client.get(reverse("reform:diagnosis_export", args=[tree.village_a1.pk])),
    }
    client.force_login(users.viewer)  # the city's export lists county A by its name
    downloads["city dashboard"] = client.get(reverse("orgtree:dashboard_export", args=[tree.city.pk]))
    downloads["city funding"] = client.get(reverse("funding:export", args=[tree.city.pk]), {"year": year})
    for name, response in downloads.items():
        assert response.status_code == 200, name
        formulas, texts = formula_cells_and_texts(response.content)
        assert formulas == [], name
        assert EVIL in texts, name
    _f, texts = formula_cells_and_texts(downloads["diagnosis"].content)
    assert texts.count(EVIL) == 2 and texts[0].startswith(EVIL)  # description and responsible; the title
    # The templates read back exactly: importing them as downloaded changes nothing.
    again = ConversionImporter(users.editor_a, tree.county_a).read(conversion_template(users.editor_a, tree.county_a))
    assert again.problems == [] and again.commit() == 0
    again = FundingImporter(users.editor_a, tree.county_a).read(funding_template(users.editor_a, tree.county_a, year))
    assert again.problems == [] and again.commit() == 0
