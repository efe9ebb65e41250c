"""The one exception type the CLI turns into a one-line message."""

from annotator.textsafe import terminal_text


def _one_line(text: object) -> str:
    return terminal_text(text).replace("\n", "\u2424")


class AnnotatorError(Exception):
    """A problem with user input: shown as one line, exit code 1, no traceback.

    The message and the path are made inert here (control characters shown, not sent) and
    kept on one line (a line break shows as ␤), since both often quote data: a label, a
    layer name, a file name.
    """

    def __init__(self, message: str, path: object = None, line: int | None = None):
        self.problem = _one_line(message)
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            shown = _one_line(path)
            where = f"{shown}:{line}: " if line is not None else f"{shown}: "
        super().__init__(where + self.problem)
