"""The one exception type the CLI turns into a one-line message."""


class AnnotatorError(Exception):
    """A problem with user input: shown as one line, exit code 1, no traceback."""

    def __init__(self, message: str, path: object = None, line: int | None = None):
        self.problem = message
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
