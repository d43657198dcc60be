"""The `workdays` and `calendar` management commands (yipanqi workdays ..., yipanqi calendar ...)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from yipanqi.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_r_wd_1_cli_add_prints_the_date():
    out, err = run("workdays", "add", "2026-09-28", "15")
    assert out == "2026-10-23\n"
    assert err == ""


def test_r_wd_1_cli_add_json():
    out, _err = run("workdays", "add", "2026-09-28", "15", "--json")
    assert json.loads(out) == {
        "date": "2026-10-23",
        "fallback": False,
        "years_without_schedule": [],
    }


def test_r_wd_4_cli_says_when_it_fell_back_to_weekends():
    out, err = run("workdays", "add", "2026-12-28", "15")
    assert out == "2027-01-18\n"
    assert "2027" in err and "weekends only" in err
    out, _err = run("workdays", "add", "2026-12-28", "15", "--json")
    assert json.loads(out) == {
        "date": "2027-01-18",
        "fallback": True,
        "years_without_schedule": [2027],
    }


def test_r_wd_1_cli_between_and_is():
    assert run("workdays", "between", "2026-09-28", "2026-10-23")[0] == "15\n"
    assert json.loads(run("workdays", "between", "2026-09-28", "2026-10-23", "--json")[0]) == {
        "days": 15,
        "fallback": False,
        "years_without_schedule": [],
    }
    assert run("workdays", "is", "2026-10-10")[0] == "working day\n"
    assert run("workdays", "is", "2026-10-03")[0] == "rest day\n"
    assert json.loads(run("workdays", "is", "2026-10-10", "--json")[0]) == {
        "date": "2026-10-10",
        "is_working_day": True,
        "fallback": False,
        "years_without_schedule": [],
    }


def test_r_wd_3_cli_deadline():
    assert run("workdays", "deadline", "2026-10", "3")[0] == "2026-10-08\n"


@pytest.mark.parametrize(
    "args",
    [
        ("add", "2026-02-30", "1"),
        ("add", "20260928", "1"),
        ("add", "2026-09-28", "-1"),
        ("add", "2026-09-28", "many"),
        ("add", "1800-01-01", "1"),
        ("between", "2026-09-28", "tomorrow"),
        ("deadline", "2026-13", "3"),
        ("deadline", "2026-10", "32"),
    ],
)
def test_cli_workdays_bad_input_is_a_clear_error(args):
    with pytest.raises(CommandError):
        run("workdays", *args)


def test_r_wd_4_cli_calendar_load_twice_then_show(schedule_2027_file):
    assert "no official schedule" in run("calendar", "show", "2027")[0]

    out, _err = run("calendar", "load", str(schedule_2027_file))
    assert out == "2027: loaded, 19 holidays, 3 make-up working days.\n"
    out, _err = run("calendar", "load", str(schedule_2027_file))
    assert out == "2027: unchanged.\n"

    shown = json.loads(run("calendar", "show", "2027", "--json")[0])
    assert shown["origin"] == "loaded"
    assert shown["workdays"] == ["2027-02-20", "2027-09-26", "2027-10-09"]
    assert run("workdays", "add", "2026-12-28", "15") == ("2027-01-19\n", "")


def test_r_wd_4_cli_calendar_show_package_year():
    out, _err = run("calendar", "show", "2026")
    assert "chinese-calendar" in out
    assert "  2026-10-10 Sat\n" in out
    assert "  2026-10-01 Thu National Day\n" in out


def test_r_wd_4_cli_calendar_load_refuses_bad_file_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"year": 2027, "holidays": ["2027-01-02"], "workdays": ["2027-01-02"]})
    )
    with pytest.raises(CommandError, match="both as holiday"):
        run("calendar", "load", str(path))
    path.write_text("not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("calendar", "load", str(path))
    with pytest.raises(CommandError):
        run("calendar", "show", "3000")
    assert not CalendarYear.objects.exists()
