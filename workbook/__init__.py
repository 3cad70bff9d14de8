"""Workbook files: building templates, reading the LeadScore sheet and the Leads table, rescoring."""
from .errors import SheetError
from .workflow import Report, check, read_leads, read_model, rescore

__all__ = ["Report", "SheetError", "check", "new_workbook", "read_leads", "read_model", "rescore"]


def __getattr__(name):
    # Templates need XlsxWriter; the add-in paths (xlwings, xlwings Lite) never build one.
    if name == "new_workbook":
        from .template import new_workbook

        return new_workbook
    raise AttributeError(f"module 'workbook' has no attribute {name!r}")
