"""Hostile files stop here: an uploaded file is checked before anything reads it (issue 16.1).

A spreadsheet is a zip of XML parts, and the reader (python-calamine) trusts what they declare:
a 1.7 KB sheet with one cell at XFD1048576 made it allocate the whole sheet area and abort the
process. So, before any reader opens it:
- the file's size is within `IMPORT_MAX_BYTES` (also enforced while it is being received);
- a zip has few members, each inflating at most `IMPORT_MAX_ZIP_RATIO` times, all together to
  at most `IMPORT_MAX_UNZIPPED_BYTES`, counted on the inflated bytes themselves (a member that
  says it is small and is not fails its CRC check);
- no XML part declares a DOCTYPE or an entity (XXE, billion laughs), and every part is UTF-8
  (so that this scan sees what the reader will see);
- a sheet's declared dimension is within `IMPORT_MAX_ROWS` x `IMPORT_MAX_COLUMNS`;
- a CSV has at most `IMPORT_MAX_ROWS` lines.
What still gets through is read in a process of its own with a memory and CPU limit
(sheets.py): a file that breaks it fails its own import only.
"""

import re
import zipfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

from yipanqi.core.errors import Rejected
from yipanqi.imports.limits import Limits

CHUNK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s[^>]*ref\s*=\s*["']([A-Za-z$0-9:]+)["']""")
_CELL = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")


class UnreadableFile(Rejected):
    """A file that is not a spreadsheet or a CSV in a known encoding, or is no longer kept; the
    message says why. A Rejected on the file, kept apart because the job page shows a job whose
    file is gone without its preview."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})


class FileRefused(UnreadableFile):
    """A file refused by these checks; the message says why in plain words."""


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def too_large_message(limits: Limits | None = None) -> str:
    limits = limits or Limits.from_settings()
    return _(
        "The file is larger than %(limit)s MB, the most that can be imported at once. "
        "Please split it into smaller files and import them one by one."
    ) % {"limit": megabytes(limits.max_bytes)}


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise FileRefused(too_large_message(limits))


def check_file(path: Path) -> None:
    """Refuse a file that is too large or built to break the reader; see the module doc."""
    path = Path(path)
    stat = path.stat()
    _check_cached(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _check_cached(path: str, size: int, mtime_ns: int) -> None:
    # One check per file version and process: a job opens its file several times.
    limits = Limits.from_settings()
    check_size(size, limits)
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head[:4] == ZIP_MAGIC:
        _check_zip(Path(path), limits)
    elif head[:8] != OLE_MAGIC:
        _check_lines(Path(path), limits)
    # An old binary XLS has no parts to inspect: the limited reader process stands alone.


def _check_lines(path: Path, limits: Limits) -> None:
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            if lines > limits.max_rows:
                raise FileRefused(rows_message(limits))


def rows_message(limits: Limits | None = None) -> str:
    limits = limits or Limits.from_settings()
    return _(
        "The file has more than %(limit)s rows, the most that can be imported at once. "
        "Please split it into smaller files."
    ) % {"limit": limits.max_rows}


def columns_message(limits: Limits | None = None) -> str:
    limits = limits or Limits.from_settings()
    return _(
        "The sheet has more than %(limit)s columns. Please keep only the columns to import "
        "(name, ID number, places, dates …) and save it again."
    ) % {"limit": limits.max_columns}


def _damaged() -> FileRefused:
    return FileRefused(
        _(
            "The spreadsheet is damaged or not a real Excel file. Please open it in Excel or WPS and save it again as XLSX."
        )
    )


def _bomb() -> FileRefused:
    return FileRefused(
        _(
            "The spreadsheet unpacks to far more data than it holds, which real registers "
            "never do. It cannot be imported. Please save it again from Excel or WPS as XLSX."
        )
    )


def _check_zip(path: Path, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise _damaged()
        declared = 0
        for member in members:
            declared += member.file_size
            if member.compress_size == 0 and member.file_size > 0:
                raise _bomb()
            if member.file_size > max(member.compress_size, 1024) * limits.max_ratio:
                raise _bomb()
        if declared > limits.max_unzipped_bytes:
            raise _bomb()
        inflated = 0
        for member in members:
            if member.is_dir():
                continue
            inflated = _scan_member(archive, member, inflated, limits)


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, inflated: int, limits):
    """Inflate one member in chunks: count its bytes, look for declarations and dimensions."""
    is_xml = member.filename.lower().endswith((".xml", ".rels", ".vml"))
    tail = b""
    first = True
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                inflated += len(chunk)
                if inflated > limits.max_unzipped_bytes:
                    raise _bomb()
                if not is_xml:
                    continue
                if first:
                    _check_xml_start(chunk)
                    _check_dimension(chunk, limits)
                    first = False
                window = tail + chunk
                if _DECLARATION.search(window):
                    raise FileRefused(
                        _(
                            "The spreadsheet contains instructions to load other data, which "
                            "a register never needs. It cannot be imported. Please save it "
                            "again from Excel or WPS as XLSX."
                        )
                    )
                tail = window[-16:]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        # A bad CRC (a member larger than it said), an unknown compression, a broken stream.
        raise _damaged() from None
    return inflated


def _check_xml_start(chunk: bytes) -> None:
    if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or chunk[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        raise _damaged()
    match = _ENCODING.match(chunk.removeprefix(b"\xef\xbb\xbf"))
    if match and match.group(1).lower() not in (b"utf-8", b"utf8"):
        raise _damaged()


def _check_dimension(chunk: bytes, limits: Limits) -> None:
    """A sheet's <dimension ref="A1:K2000"> within the row and column limits."""
    match = _DIMENSION.search(chunk[: 64 * 1024])
    if not match:
        return
    last = match.group(1).decode("ascii").split(":")[-1]
    cell = _CELL.match(last)
    if not cell:
        return
    column = column_number(cell.group(1))
    row = int(cell.group(2))
    if column > limits.max_columns:
        raise FileRefused(columns_message(limits))
    if row > limits.max_rows:
        raise FileRefused(rows_message(limits))


def column_number(letters: str) -> int:
    """A1-style column letters as a number: A = 1, Z = 26, AA = 27, XFD = 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


class LimitedUploadHandler(FileUploadHandler):
    """Stops receiving a file past IMPORT_MAX_BYTES, so no disk fills with it; the views read
    `upload_too_large(request)` to say why the file is missing."""

    MARK = "yipanqi.upload_too_large"

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.request.META[self.MARK] = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    """Whether a file of this request was dropped for its size (LimitedUploadHandler)."""
    return bool(request.META.get(LimitedUploadHandler.MARK))


class UploadSizeMiddleware:
    """A multipart body that says it is larger than IMPORT_MAX_BYTES is answered 413 before a
    byte of it is read (LimitedUploadHandler covers bodies that do not say their length)."""

    SLACK = 1024 * 1024  # the form's other fields and the multipart boundaries

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.IMPORT_MAX_BYTES + self.SLACK:
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        from django.http import HttpResponse, JsonResponse
        from django.utils.html import escape

        message = too_large_message()
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {}}, status=413)
        page = (
            '<!doctype html><html lang="zh-Hans"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(_('File too large'))}</title>"
            f"<p>{escape(message)}</p>"
            f'<p><a href="/imports/">{escape(_("Back to imports"))}</a></p></html>'
        )
        response = HttpResponse(page, status=413)
        # The rest of the body is never read: the connection cannot be reused.
        response["Connection"] = "close"
        return response
