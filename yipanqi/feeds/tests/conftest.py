"""Feeds arrive as files through imports: its temporary VAR_DIR for every test here too."""

from yipanqi.imports.tests.conftest import var_dir  # noqa: F401 (an autouse fixture)
