"""Workbook packages read (and patched) as the zip of XML parts they are, without loading a whole workbook."""
