"""Errors the user caused; the CLI prints them as one line and exits with status 2."""


class TpcError(Exception):
    """A user-caused error with a one-line message.

    Errors located in a source file also carry `filename`, `line`, `column` (1-based),
    `source_line` (the offending line) and `reason`; `details` is the offending line with a
    caret under the column, for the CLI to print after the message.
    """

    def __init__(
        self,
        message: str = "",
        *,
        filename=None,
        line=None,
        column=None,
        source_line=None,
        reason=None,
    ):
        super().__init__(message)
        self.filename = filename
        self.line = line
        self.column = column
        self.source_line = source_line
        self.reason = reason if reason is not None else message

    @property
    def details(self) -> str:
        if self.source_line is None or self.column is None:
            return ""
        line = self.source_line.rstrip("\n").expandtabs(1)
        return f"{line}\n{' ' * (self.column - 1)}^"

    @classmethod
    def at(cls, filename: str, source: str, line: int, column: int, reason: str) -> "TpcError":
        """An error at `line`:`column` of `source` (read from `filename`)."""
        lines = source.splitlines()
        text = lines[line - 1] if 1 <= line <= len(lines) else ""
        return cls(
            f"{filename}:{line}:{column}: {reason}",
            filename=filename,
            line=line,
            column=column,
            source_line=text,
            reason=reason,
        )
