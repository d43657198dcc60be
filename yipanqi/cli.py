"""The `yipanqi` console script: Django's management commands under one name.

`yipanqi divisions load` runs the `divisions` command with the `load` action, and so on; every
other Django command (migrate, runserver, ...) works as with manage.py.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yipanqi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "yipanqi"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
