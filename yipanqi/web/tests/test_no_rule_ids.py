"""Issue 12.9: no internal rule id (R-…, DOMAIN.md's numbering) reaches a page, form, card, PDF
or spreadsheet a user sees. Rule ids stay in code comments, docstrings, tests and docs.

What is checked: every msgid and msgstr of the Chinese catalog and every translatable string of
the source (so also PDF text, help texts, choices and error messages); the templates' text outside
comments; every other string constant of the Python source except the places that hold ids as
data and show them only through `stats.rulewords.in_words` (a rate's rule, a scorecard line's
article) and the API reference (OpenAPI summaries and descriptions) and CLI help, which are docs;
and the pages and spreadsheets that show rules, rendered.
"""

import ast
import io
import re

import pytest
from openpyxl import load_workbook

from conftest import GUANGDONG
from yipanqi.web.tests.msgids import PACKAGE, extract, po_entries

RULE_ID = re.compile(r"\bR-[A-Z]+-\d")

# Where a string constant may hold a rule id: (path prefix or file, how it is used).
_DATA_FILES = {
    "stats/rates.py",  # Rate(rule=...), shown through in_words
    "stats/assessment.py",  # Item(article=...), shown through in_words
    "stats/rulewords.py",  # the ids' words
}
_DOC_KEYWORDS = {"summary", "description"}  # ninja's OpenAPI reference for developers


def _found(text: str) -> list[str]:
    return RULE_ID.findall(text or "")


def test_the_catalog_and_every_translatable_string_are_free_of_rule_ids():
    in_catalog = [(msgid, msgstr) for _c, msgid, msgstr in po_entries() if _found(msgid + msgstr)]
    in_source = [msg.where for msg in extract() if _found(msg.msgid)]
    assert not in_catalog, in_catalog
    assert not in_source, in_source


def _template_text(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def test_templates_show_no_rule_ids_outside_comments():
    found = []
    for path in sorted(PACKAGE.rglob("templates/**/*")):
        if path.is_file() and path.suffix in {".html", ".txt"}:
            text = _template_text(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(PACKAGE)}: {rid}" for rid in _found(text)]
    assert not found, found


def _docstrings(tree) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_python_strings_users_see_carry_no_rule_ids():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or rel in _DATA_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) in docstrings or not _found(node.value):
                continue
            parent = parents.get(node)
            keyword = parent.arg if isinstance(parent, ast.keyword) else None
            if rel.startswith("api/") and keyword in _DOC_KEYWORDS:
                continue
            if "/management/commands/" in rel:
                continue  # a command's help, read in a terminal by the system administrator
            found.append(f"yipanqi/{rel}:{node.lineno}: {node.value[:80]!r}")
    assert not found, "\n".join(found)


def test_every_rule_a_rate_or_scorecard_line_names_has_words():
    from yipanqi.stats.rates import RATES
    from yipanqi.stats.rulewords import RULE_WORDS, in_words

    assessment = (PACKAGE / "stats" / "assessment.py").read_text(encoding="utf-8")
    named = set(RULE_ID.findall(" ".join(rate.rule for rate in RATES)))
    named |= set(re.findall(r'"(R-[A-Z]+-\d+)"', assessment))
    assert named and named <= set(RULE_WORDS), named - set(RULE_WORDS)
    assert in_words("R-STAT-1, R-REGN-1") and not _found(in_words("R-STAT-1, R-REGN-1"))


@pytest.fixture
def province(province_admin, client):
    client.force_login(province_admin)
    return client


@pytest.mark.django_db
def test_pages_that_show_rules_and_deadlines_show_no_rule_ids(province):
    from yipanqi.regions.models import Region

    regions = [r for r in Region.objects.all() if GUANGDONG in r.provinces]
    assert regions
    pages = [
        "/stats/?period=2026-10",
        "/stats/assessment/?at=440305&period=2026",
        "/stats/report/",
        "/exchange/rules/",
        *(f"/exchange/rules/{region.code}/" for region in regions[:3]),
        "/certificates/long-term/",
    ]
    shown = {}
    for url in pages:
        response = province.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if _found(html):
            shown[url] = _found(html)
    assert not shown, shown


@pytest.mark.django_db
def test_spreadsheets_that_list_rules_show_them_in_words(province):
    from yipanqi.stats.rulewords import RULE_WORDS

    sheets = {
        "dashboard": province.get("/stats/export.xlsx?period=2026-10"),
        "assessment": province.get("/stats/assessment/?at=440305&period=2026&format=xlsx"),
        "report": province.get(f"/stats/report/?format=xlsx&at={GUANGDONG}&year=2025"),
    }
    words = {str(w) for w in RULE_WORDS.values()}
    seen_words = False
    for name, response in sheets.items():
        if response.status_code != 200 or "spreadsheet" not in response.get("Content-Type", ""):
            continue
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    assert not _found(str(cell or "")), (name, sheet.title, cell)
                    seen_words |= any(w in str(cell or "") for w in words)
    assert seen_words, "no spreadsheet showed the rules in words"
