"""Excel imports, all-or-nothing: what every import shares.

An importer (a subclass of `Importer`, registered by its `kind`) says which sheets and columns its
workbook has, how to read the rows and how to save them. This module owns the rest: the size
limit, opening the workbook, missing sheets and columns, cell parsers that accept what people type
in Excel, every problem reported at once (sheet, row, column, a Chinese message), and the job that
checks an upload, waits for the user's confirmation and saves it in one transaction.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

YES, NO = "是", "否"
# Job.kind -> the importer class.
IMPORTERS = {
    "conversion_import": "orgtree.conversion_excel.ConversionImporter",
    "funding_import": "funding.excel.FundingImporter",
}


def importer_for(kind):
    from django.utils.module_loading import import_string

    return import_string(IMPORTERS[kind])


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": str(self.message)}


# --- cells, as people type them ---------------------------------------------------------------
# Each raises ValueError (or InvalidOperation, TypeError) for a value it cannot read.

def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    cleaned = text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    parts = cleaned.split("-")
    if len(parts) != 3:
        raise ValueError
    return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))


def count(value):
    """A whole number ≥ 0, or None for an empty cell."""
    cleaned = text(value).replace(",", "").replace("，", "")
    if not cleaned:
        return None
    number = int(Decimal(cleaned))
    if number < 0 or Decimal(cleaned) != number:
        raise ValueError
    return number


def money(value):
    """Yuan with at most two decimals (never a float), ≥ 0, or None for an empty cell."""
    cleaned = text(value).replace(",", "").replace("，", "").replace("元", "")
    if not cleaned:
        return None
    amount = Decimal(cleaned)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError
    return amount.quantize(Decimal("0.01"))


def yes(value):
    cleaned = text(value)
    if cleaned in ("", NO, "0", "False", "false"):
        return False
    if cleaned in (YES, "1", "True", "true", "√", "✓"):
        return True
    raise ValueError


class Importer:
    """Reads a workbook for `user` under `unit` (None: her whole scope) and saves it all or nothing.

    Subclasses set `kind` and `sheets` ({sheet name: {key: column title}}, in the order read) and
    implement `parse(rows_by_sheet)`, `is_empty()`, `summary()` and `save(progress)`.
    """

    kind = ""
    sheets = {}
    optional_sheets = ()
    empty_message = ""

    def __init__(self, user, unit):
        self.user, self.unit = user, unit
        self.problems = []

    def problem(self, sheet, row, column, message):
        self.problems.append(Problem(sheet, row, column, message))

    def read(self, data):
        limit = settings.BANYAN["IMPORT_MAX_BYTES"]
        if not data:
            self.problem("", 0, "", _("The file is empty."))
            return self
        if len(data) > limit:
            self.problem("", 0, "", _("The file is %(size)d MB; the limit is %(limit)d MB. Split it by township.")
                         % {"size": len(data) // 2**20, "limit": limit // 2**20})
            return self
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            self.problem("", 0, "", _("This is not an Excel .xlsx file. Download the template and fill it in."))
            return self
        found = {}
        for name, columns in self.sheets.items():
            if name not in book.sheetnames:
                if name not in self.optional_sheets:
                    self.problem(name, 0, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": name})
                continue
            rows = book[name].iter_rows(values_only=True)
            header = [text(v) for v in next(rows, ())]
            missing = [title for title in columns.values() if title not in header]
            if missing:
                self.problem(name, 1, "", _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
                continue
            index = {key: header.index(title) for key, title in columns.items()}
            found[name] = [(n, {k: row[i] if i < len(row) else None for k, i in index.items()})
                           for n, row in enumerate(rows, start=2) if any(v not in (None, "") for v in row)]
        if not self.problems:
            self.parse(found)
        if not self.problems and self.is_empty():
            self.problem("", 0, "", self.empty_message or _("The file has nothing to import."))
        return self

    def cells(self, sheet, n, row, parsers):
        """{key: parsed value} of a row; a problem for each cell that cannot be read."""
        values = {}
        for key, parse, message in parsers:
            try:
                values[key] = parse(row[key])
            except (ValueError, ArithmeticError, TypeError):
                self.problem(sheet, n, self.sheets[sheet][key], message)
        return values

    def commit(self, progress=None):
        """Save a clean read in one transaction; returns how many records changed."""
        if self.problems:
            raise ValueError("commit() needs a read without problems")
        with transaction.atomic():
            return self.save(progress)

    # For subclasses -------------------------------------------------------------------------

    def parse(self, rows_by_sheet):
        raise NotImplementedError

    def is_empty(self):
        raise NotImplementedError

    def summary(self):
        """Figures shown before confirming and after saving (JSON-able)."""
        return {}

    def save(self, progress):
        raise NotImplementedError

    @classmethod
    def describe(cls, summary, done=False):
        """What the job page says of a checked (or saved) file."""
        raise NotImplementedError

    @classmethod
    def urls(cls, unit):
        """(back to the data, upload again) for the job page."""
        raise NotImplementedError
