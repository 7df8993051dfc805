"""Excel imports, all-or-nothing: what every import shares.

An importer (a subclass of `Importer`, registered by its `kind`) says which sheets and columns its
workbook has, how to read the rows and how to save them. This module owns the rest: the limits
(bytes, rows per sheet, cells, problems listed), opening the workbook, missing sheets and columns,
cell parsers that accept what people type in Excel, every problem reported at once (sheet, row,
column, a Chinese message), and the job that checks an upload, waits for the user's confirmation
and saves it in one transaction.

The check and the commit share one validation path: `parse` builds the records and runs the same
validation the services run when saving them, so the commit can only meet what changed in between
(a race). What it meets then is reported with sheet, row and column too (`ImportRefusedError`).
"""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

YES, NO = "是", "否"
# Generous for a cell of sheet XML (<c r="M12345" s="3" t="s"><v>123</v></c> is about 40 bytes).
BYTES_PER_CELL = 300
# Job.kind -> the dotted path of its importer class; each app registers its own in ready().
IMPORTERS = {}


def register(kind, importer_path):
    IMPORTERS[kind] = importer_path


def importer_for(kind):
    return import_string(IMPORTERS[kind])


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __hash__(self):
        return hash((self.sheet, self.row, self.column, str(self.message)))

    def __eq__(self, other):
        return isinstance(other, Problem) and self.as_dict() == other.as_dict()

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


class ImportRefusedError(Exception):
    """The commit met problems (a change since the check): nothing was saved; `problems` say where.
    `causes` are the errors behind them that leave a trace after the rollback (federation.audit.after_rollback)."""

    def __init__(self, problems, causes=()):
        super().__init__(problems)
        self.problems = problems
        self.causes = list(causes)


def listed_problems():
    """At most this many problems are kept and shown; the rest are counted."""
    return settings.BANYAN["IMPORT_MAX_PROBLEMS"]


class Importer:
    """Reads a workbook for `user` under `unit` (None: her whole scope) and saves it all or nothing.

    Subclasses set `kind`, `sheets` ({sheet name: {key: column title}}, in the order read) and
    `rows_per_unit` ({sheet name: rows allowed per unit in scope, as a multiple of the setting}), and
    implement `units_in_scope()`, `parse(rows_by_sheet)`, `is_empty()`, `summary()` and `save(progress)`.
    `save` reports what it meets through `problem()`, like `parse`: the commit then saves nothing.
    """

    kind = ""
    sheets: dict[str, dict[str, str]] = {}
    optional_sheets: tuple[str, ...] = ()
    empty_message = ""
    rows_per_unit: dict[str, int] = {}

    def __init__(self, user, unit):
        self.user, self.unit = user, unit
        self.problems = []
        self.problem_count = 0  # problems found, listed or not
        self._reported = set()
        self.causes = []  # errors met while saving, for ImportRefusedError.causes

    def problem(self, sheet, row, column, message):
        found = Problem(sheet, row, column, message)
        if found in self._reported:  # one fact is reported once
            return
        self._reported.add(found)
        self.problem_count += 1
        if len(self.problems) < listed_problems():
            self.problems.append(found)

    @property
    def unlisted(self):
        return self.problem_count - len(self.problems)

    def max_rows(self, sheet):
        """Rows a sheet may have: a multiple of the units the user may change, never below the minimum."""
        if not hasattr(self, "_units"):
            self._units = self.units_in_scope()
        limits = settings.BANYAN
        return max(
            limits["IMPORT_MIN_ROWS"], limits["IMPORT_ROWS_PER_UNIT"] * self.rows_per_unit.get(sheet, 1) * self._units
        )

    def read(self, data):
        limit = settings.BANYAN["IMPORT_MAX_BYTES"]
        if not data:
            self.problem("", 0, "", _("The file is empty."))
            return self
        if len(data) > limit:
            self.problem(
                "",
                0,
                "",
                _("The file is %(size)d MB; the limit is %(limit)d MB. Split it by township.")
                % {"size": len(data) // 2**20, "limit": limit // 2**20},
            )
            return self
        from openpyxl import load_workbook

        self._units = self.units_in_scope()
        unreadable = _("This is not an Excel .xlsx file. Download the template and fill it in.")
        try:
            unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        except (zipfile.BadZipFile, ValueError):
            self.problem("", 0, "", unreadable)
            return self
        if unpacked > self.max_unpacked():
            # Opening a workbook reads each sheet whole (openpyxl scans it for its size) before a single
            # row is counted, so a file that holds far more than the row limits is refused unopened.
            self.problem(
                "", 0, "", _("The file holds more data than the row limits of your scope allow; split it by township.")
            )
            return self
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            self.problem("", 0, "", unreadable)
            return self
        try:
            found = self._rows(book)
        except Exception:  # a damaged sheet fails while its rows are read
            self.problem("", 0, "", unreadable)
            found = None
        finally:
            book.close()
        if found is None:
            return self
        if not self.problems:
            self.parse(found)
        if not self.problems and self.is_empty():
            self.problem("", 0, "", self.empty_message or _("The file has nothing to import."))
        return self

    def max_unpacked(self):
        """Bytes the unzipped file may hold: its sheets at their row limits, BYTES_PER_CELL a cell, and room
        for the rest (styles, names)."""
        cells = sum(self.max_rows(name) * len(columns) for name, columns in self.sheets.items())
        return min(cells, settings.BANYAN["IMPORT_MAX_CELLS"]) * BYTES_PER_CELL + 2**20

    def _rows(self, book):
        """{sheet: [(row number, {key: value})]} of the non-empty rows, or None when a limit is passed.

        Rows are read one at a time and only up to the last column used, so a huge file is refused
        after reading no more than the limit, never loaded whole."""
        found, cells_left = {}, settings.BANYAN["IMPORT_MAX_CELLS"]
        for name, columns in self.sheets.items():
            if name not in book.sheetnames:
                if name not in self.optional_sheets:
                    self.problem(name, 0, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": name})
                continue
            sheet = book[name]
            header = [
                text(v)
                for v in next(
                    sheet.iter_rows(max_row=1, max_col=settings.BANYAN["IMPORT_MAX_COLUMNS"], values_only=True), ()
                )
            ]
            missing = [title for title in columns.values() if title not in header]
            if missing:
                self.problem(name, 1, "", _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
                continue
            index = {key: header.index(title) for key, title in columns.items()}
            width, limit = max(index.values()) + 1, self.max_rows(name)
            rows: list[tuple[int, dict[str, object]]] = []
            for n, row in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
                cells_left -= width
                if cells_left < 0:
                    self.problem(
                        name,
                        n,
                        "",
                        _("The file has more than %(cells)d cells; split it by township.")
                        % {"cells": settings.BANYAN["IMPORT_MAX_CELLS"]},
                    )
                    return None
                if not any(v not in (None, "") for v in row):
                    continue
                if len(rows) == limit:
                    self.problem(
                        name,
                        n,
                        "",
                        _(
                            "The sheet “%(sheet)s” has more than %(rows)d rows, the limit for "
                            "your scope; split the file by township."
                        )
                        % {"sheet": name, "rows": limit},
                    )
                    return None
                rows.append((n, {k: row[i] if i < len(row) else None for k, i in index.items()}))
            found[name] = rows
        return found

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
        """Save a clean read in one transaction; returns how many records changed.

        Raises `ImportRefusedError` (and saves nothing) when saving meets a problem the check could not see."""
        if self.problems:
            raise ValueError("commit() needs a read without problems")
        with transaction.atomic():
            changed = self.save(progress)
            if self.problems:
                raise ImportRefusedError(self.problems, self.causes)
            return changed

    # For subclasses -------------------------------------------------------------------------

    def units_in_scope(self):
        """How many units the user may import for (the row limits grow with it)."""
        return 0

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
