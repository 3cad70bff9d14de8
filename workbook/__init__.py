"""Workbook files: building templates, reading the LeadScore sheet and the Leads table, rescoring."""
from .errors import SheetError
from .files import Report, check, read_leads, read_model, rescore
from .template import new_workbook

__all__ = ["Report", "SheetError", "check", "new_workbook", "read_leads", "read_model", "rescore"]
