"""Errors a user can cause. The CLI prints them as one line and exits with status 2."""


class TpcError(Exception):
    """A user-caused problem: bad source, bad checkpoint, unknown token, wrong option.

    The message is one line that names the problem and where (file:line:col for source).
    """
