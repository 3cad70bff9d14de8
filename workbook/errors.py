"""Errors that point at cells."""


class SheetError(ValueError):
    """Problems found in a workbook; each message names a sheet and cell."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))
