"""The one way thidua opens an XLSX workbook, for every command that writes one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter import Workbook


def new_workbook(path: str) -> Workbook:
    """A workbook that keeps text as text and whose bytes depend only on what is written: its
    creation date is fixed (xlsxwriter would stamp the time into docProps/core.xml)."""
    from datetime import datetime

    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": datetime(2000, 1, 1)})
    return wb
