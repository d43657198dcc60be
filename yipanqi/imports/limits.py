"""The limits one uploaded file is held to, read from the settings when a file is checked or
read (issue 16.1): its size and its zip (guard.py), its sheet's rows and columns (guard.py and
the reader's child), the reader process's memory and CPU (sheet_process.py).

Free of Django at import time: sheet_process.py, which imports it, runs without Django.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unzipped_bytes: int
    max_ratio: int
    max_members: int
    max_rows: int
    max_columns: int
    memory_bytes: int
    cpu_seconds: int

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
            max_ratio=settings.IMPORT_MAX_ZIP_RATIO,
            max_members=settings.IMPORT_MAX_ZIP_MEMBERS,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            memory_bytes=settings.IMPORT_READER_MEMORY_BYTES,
            cpu_seconds=settings.IMPORT_READER_CPU_SECONDS,
        )
