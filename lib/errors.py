"""The error of the file layer, apart so that spreadsheet.py and file_limits.py both raise it."""


class SpreadsheetError(ValueError):
    """A file that cannot be read: ``code`` says why (the addon shows it translated), the
    message says it in English."""

    def __init__(self, code, message, **params):
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params
