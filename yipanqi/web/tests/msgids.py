"""Every translatable string of the source, with its message context, place and role.

Read straight from the source (no makemessages, no xgettext): Python's gettext calls through
`ast`, the templates' `{% translate %}` and `{% blocktranslate %}` tags with a small scanner that
also notes the HTML element around each string. The JavaScript takes its words from the templates
(data- attributes and server-rendered text) and calls no gettext, so it has none of its own.

A string's role is what it is on the page: the value of a choice or a status ("value"), the name
of a field or a column ("field"), a button or a link ("action"), a page or section heading
("heading"), a badge ("badge"); None where the place does not tell (plain text, a Python string
that is no choice, keyword or label).
"""

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR) / "yipanqi"
LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"

_PLAIN = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
_WITH_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
_FIELD_KEYWORDS = {"verbose_name", "verbose_name_plural", "label", "row_label"}
_FIELDS = re.compile(r"[A-Z]\w*Field$|^ForeignKey$|^OneToOneField$|^ManyToManyField$")


@dataclass(frozen=True)
class Msg:
    msgid: str
    context: str | None
    path: str  # relative to the package, e.g. "exchange/models.py"
    line: int
    role: str | None
    source: str  # the text around the string, for templates (to find comments)

    @property
    def app(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def where(self) -> str:
        return f"yipanqi/{self.path}:{self.line}"


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _python(path: Path, rel: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if name in _PLAIN and args and isinstance(args[0], str):
            context, msgid = None, args[0]
        elif name in _WITH_CONTEXT and len(args) > 1 and isinstance(args[1], str):
            context, msgid = args[0], args[1]
        else:
            continue
        yield Msg(msgid, context, rel, node.lineno, _python_role(node, parents), "")


def _python_role(node, parents) -> str | None:
    parent = parents.get(node)
    if isinstance(parent, ast.keyword):
        return "field" if parent.arg in _FIELD_KEYWORDS else None
    if (
        isinstance(parent, ast.Call)
        and node in parent.args
        and _FIELDS.search(_name(parent.func) or "")
    ):
        return "field"  # a model or form field's verbose name given first
    if isinstance(parent, ast.Tuple) and len(parent.elts) == 2:
        # ("value", _("Label")) is a choice; (_("Label"), value) a labelled row of a PDF.
        return "value" if parent.elts[1] is node else "field"
    scope = node
    while scope in parents and not isinstance(scope, (ast.ClassDef, ast.FunctionDef)):
        scope = parents[scope]
    if isinstance(scope, ast.ClassDef) and any(
        (_name(base) or "").endswith("Choices") for base in scope.bases
    ):
        return "value"
    return None


_TAG = re.compile(r"\{%\s*(?:translate|trans)\s+(\"[^\"]*\"|'[^']*')((?:(?!%\}).)*)%\}", re.S)
_BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b((?:(?!%\}).)*)%\}(.*?)"
    r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
_CONTEXT = re.compile(r"\bcontext\s+(\"[^\"]*\"|'[^']*')")
_HTML = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*?)(/?)>", re.S)
_VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}
_ELEMENT_ROLES = {
    "th": "field",
    "dt": "field",
    "label": "field",
    "legend": "field",
    "option": "value",
    "button": "action",
    "a": "action",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "title": "heading",
    "summary": "heading",
    "caption": "heading",
}


def _template_role(text: str, pos: int) -> str | None:
    opening, closing = text.rfind("<", 0, pos), text.rfind(">", 0, pos)
    if opening > closing:  # inside a tag: an attribute
        attribute = re.findall(r'([a-zA-Z-]+)="[^"]*$', text[opening:pos])
        return "field" if attribute and attribute[-1] == "data-label" else None
    stack: list[tuple[str, str]] = []
    for match in _HTML.finditer(text, 0, pos):
        end, tag, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if tag in _VOID or match.group(4):
            continue
        if end:
            while stack and stack[-1][0] != tag:
                stack.pop()
            if stack:
                stack.pop()
        else:
            stack.append((tag, attrs))
    for tag, attrs in reversed(stack):
        if tag == "span" and "badge" in attrs:
            return "badge"
        if tag in _ELEMENT_ROLES:
            return _ELEMENT_ROLES[tag]
    return None


def _unquote(token: str) -> str:
    return token[1:-1]


def _template(path: Path, rel: str):
    text = path.read_text(encoding="utf-8")

    def line(pos):
        return text.count("\n", 0, pos) + 1

    for match in _TAG.finditer(text):
        context = _CONTEXT.search(match.group(2))
        yield Msg(
            _unquote(match.group(1)),
            _unquote(context.group(1)) if context else None,
            rel,
            line(match.start()),
            _template_role(text, match.start()),
            text[max(0, match.start() - 2000) : match.end()],
        )
    for match in _BLOCK.finditer(text):
        context = _CONTEXT.search(match.group(1))
        body = re.split(r"\{%\s*plural\s*%\}", match.group(2))[0]
        body = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)
        yield Msg(
            body,
            _unquote(context.group(1)) if context else None,
            rel,
            line(match.start()),
            _template_role(text, match.start()),
            text[max(0, match.start() - 2000) : match.end()],
        )


def _sources():
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or not path.is_file():
            continue
        if path.suffix == ".py":
            yield path, rel, _python
        elif path.suffix in {".html", ".txt"} and "templates/" in rel:
            yield path, rel, _template


@cache
def extract() -> tuple[Msg, ...]:
    """Every translatable string in the package's Python and templates (tests excluded)."""
    return tuple(msg for path, rel, read in _sources() for msg in read(path, rel))


def po_entries() -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of every entry of the Chinese catalog, header excluded."""

    def joined(block, keyword):
        match = re.search(rf'^{keyword} ((?:".*"\n?)+)', block, re.M)
        if not match:
            return None
        raw = "".join(re.findall(r'"(.*)"', match.group(1)))
        return raw.encode().decode("unicode_escape").encode("latin-1").decode()

    entries = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        msgid = joined(block, "msgid")
        if msgid:
            msgstr = joined(block, "msgstr") or joined(block, r"msgstr\[0\]") or ""
            entries.append((joined(block, "msgctxt"), msgid, msgstr))
    return entries
