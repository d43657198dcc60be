"""GB 11643 resident ID numbers: normalisation, check digit, derived sex and birth date."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yipanqi.people import idnumbers

REAL_FORMAT = "11010519491231002X"  # the standard's own worked example


def test_check_digit_of_the_standard_example():
    assert idnumbers.check_char(REAL_FORMAT[:17]) == "X"
    parsed = idnumbers.parse(REAL_FORMAT)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.area_code == "110105"


def test_normalises_full_width_lower_x_and_spaces():
    typed = "１１０１０５ 1949-1231 002ｘ"
    assert idnumbers.parse(typed).value == REAL_FORMAT
    assert idnumbers.parse(REAL_FORMAT.lower()).value == REAL_FORMAT


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("11010519491231002", "length"),
        ("1101051949123100XX", "characters"),
        ("99010519491231002X", "area"),
        ("110105194913310028", "birth_date"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_rejects_with_a_reason(raw, code):
    with pytest.raises(idnumbers.InvalidIdNumber) as err:
        idnumbers.parse(raw)
    assert err.value.code == code


def test_future_birth_date_is_rejected():
    future = idnumbers.make("440305", dt.date(2030, 1, 1), 1, "F")
    with pytest.raises(idnumbers.InvalidIdNumber):
        idnumbers.parse(future, today=dt.date(2026, 11, 24))


def test_mask_keeps_four_and_four():
    assert idnumbers.mask(REAL_FORMAT) == "1101**********002X"


@given(
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=499),
    sex=st.sampled_from(["M", "F"]),
)
def test_property_made_ids_round_trip(birth, seq, sex):
    value = idnumbers.make("510722", birth, seq, sex)
    parsed = idnumbers.parse(value)
    assert (parsed.birth_date, parsed.sex, parsed.value) == (birth, sex, value)


@given(st.text(max_size=30))
def test_property_parse_never_crashes_on_garbage(text):
    try:
        parsed = idnumbers.parse(text)
    except idnumbers.InvalidIdNumber:
        return
    assert len(parsed.value) == 18


@given(
    birth=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2010, 1, 1)),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_property_single_digit_typo_is_caught(birth, position, delta):
    value = idnumbers.make("320102", birth, 3, "F")
    wrong = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1 :]
    with pytest.raises(idnumbers.InvalidIdNumber):
        idnumbers.parse(wrong)
