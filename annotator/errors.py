"""The one exception type the CLI turns into a one-line message."""

from annotator.textsafe import terminal_text


class AnnotatorError(Exception):
    """A problem with user input: shown as one line, exit code 1, no traceback.

    The message and the path are made inert here (control characters shown, not sent),
    since both often quote data: a label, a layer name, a file name.
    """

    def __init__(self, message: str, path: object = None, line: int | None = None):
        self.problem = terminal_text(message)
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            shown = terminal_text(path).replace("\n", "\u2424")
            where = f"{shown}:{line}: " if line is not None else f"{shown}: "
        super().__init__(where + self.problem)
