"""Every .xlsx the app produces is written through this module, so text is never a formula.

openpyxl turns any string that begins with "=" into a formula cell, and Excel re-reads a cell that
begins with = + - @ (or a tab / carriage return before one) as a formula once someone edits it. A
unit, person or problem named `=HYPERLINK(...)` would then run in the reader's Excel. So every
string is written as an explicit string cell (data_type "s": openpyxl writes an inline string, never
<f>), and one that begins with = + - @ tab or CR also gets Excel's quote prefix: the cell shows and
edits as text, exactly as if the user had typed a leading ', while its value stays the user's text
unchanged (a template read back imports the same name). Numbers, dates and Decimals stay numbers.
Characters Excel cannot store (control characters other than tab, LF, CR) are dropped rather than
failing the whole download. This module has no formulas at all; list validations are not cells.
"""

import io

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    """True for text that Excel could take as a formula: it begins with = + - @ tab or CR."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def clean(value):
    """The value as a cell will hold it: lazy translations become str, unstorable characters go."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class Sheet:
    """One worksheet; rows go in through `append` only."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.rows = 0  # rows appended; a sheet is written by this class only

    def append(self, values, bold=False):
        from openpyxl.styles import Font

        self.rows += 1
        # Cell by cell at a known row: openpyxl's worksheet[max_row] scans every cell written so far,
        # which made a 20,000-row template take minutes.
        for column, value in enumerate((clean(v) for v in values), start=1):
            if value is None:
                continue
            cell = self.worksheet.cell(row=self.rows, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # after the value: openpyxl made "=…" a formula and "#N/A" an error
                if is_formula_like(value):
                    cell.quotePrefix = True
            if bold:
                cell.font = Font(bold=True)

    def widths(self, widths):
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(i)].width = width

    def freeze(self, cell="A2"):
        self.worksheet.freeze_panes = cell

    def choices(self, names, *ranges):
        """A drop-down of `names` on the cell ranges (e.g. "D2:D20000"); blank allowed."""
        from openpyxl.worksheet.datavalidation import DataValidation

        validation = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True)
        self.worksheet.add_data_validation(validation)
        for cells in ranges:
            validation.add(cells)

    def choices_from(self, source, column, rows, *ranges):
        """A drop-down of the values in rows 2 to rows + 1 of `column` (a letter) of the sheet `source`
        (a Sheet of this workbook), on the cell ranges; blank allowed. For lists longer than the 255
        characters a list written in the validation may hold. A reference, never a formula cell."""
        from openpyxl.worksheet.datavalidation import DataValidation

        if rows < 1:
            return
        title = source.worksheet.title.replace("'", "''")
        validation = DataValidation(
            type="list", formula1=f"'{title}'!${column}$2:${column}${rows + 1}", allow_blank=True
        )
        self.worksheet.add_data_validation(validation)
        for cells in ranges:
            validation.add(cells)


class Workbook:
    """`book.sheet(title)` for each sheet in order, then `book.to_bytes()`."""

    def __init__(self):
        from openpyxl import Workbook as OpenpyxlWorkbook

        self._book = OpenpyxlWorkbook()
        self._sheets = 0

    def sheet(self, title):
        title = str(title)[:31]  # Excel's limit for a sheet name
        if self._sheets == 0:
            worksheet = self._book.worksheets[0]  # the one sheet of a new workbook
            worksheet.title = title
        else:
            worksheet = self._book.create_sheet(title)
        self._sheets += 1
        return Sheet(worksheet)

    def to_bytes(self):
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def download(data, filename):
    """An .xlsx as an attachment; `filename` may be Chinese (RFC 6266 filename*=utf-8'')."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"  # never None here
    return response
