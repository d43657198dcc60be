"""The UI is in Simplified Chinese: every source string has a translation, and the .mo is current."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            yield "fuzzy", block
        match = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
            if msgid:
                msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode()
                # A message context is part of the catalog's key (gettext's "context\x04msgid").
                context = re.search(r'^msgctxt "(.*)"$', block, re.M)
                yield "msgid", f"{context.group(1)}\x04{msgid}" if context else msgid


def test_every_string_is_translated_and_compiled():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    singular = {key if isinstance(key, str) else key[0] for key in catalog}
    fuzzy = [block for kind, block in _po_entries() if kind == "fuzzy"]
    missing = [m for kind, m in _po_entries() if kind == "msgid" and m not in singular]
    assert not fuzzy, fuzzy[:3]
    assert not missing, missing[:10]
    assert all(value for value in catalog.values())
