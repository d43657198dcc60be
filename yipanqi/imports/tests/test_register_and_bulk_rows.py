"""One writer per fact: a row imported through the bulk writer (people.bulk) is stored as
people.services.register stores the same input, person, registration and timeline event."""

import datetime as dt

import pytest

from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
from yipanqi.imports.models import ImportStatus
from yipanqi.imports.tests.conftest import TODAY, write_csv
from yipanqi.people.models import EventType, Person
from yipanqi.people.services import RegistrationInput, register

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1992, 6, 1)
# Stored per row, not per input: keys, ciphertexts (fresh nonces), moments of writing.
PERSON_SKIP = {"id", "id_number_cipher", "id_number_index", "id_number_masked", "phone_cipher",
               "name", "created_at", "updated_at"}  # fmt: skip
REGISTRATION_SKIP = {"id", "person_id", "recorded_at"}


def _stored(person: Person) -> tuple[dict, dict, dict]:
    person_row = {k: v for k, v in vars(person).items() if not k.startswith("_")}
    registration = person.registrations.get()
    registration_row = {k: v for k, v in vars(registration).items() if not k.startswith("_")}
    event = person.events.get(type=EventType.REGISTERED_INFLOW)
    data = {k: v for k, v in event.data.items() if k not in ("registration", "import")}
    event_row = {"type": event.type, "actor": event.actor_id, "unit": event.unit_id, **data}
    assert event.data["registration"] == registration.pk
    return (
        {k: v for k, v in person_row.items() if k not in PERSON_SKIP},
        {k: v for k, v in registration_row.items() if k not in REGISTRATION_SKIP},
        event_row,
    )


@pytest.mark.parametrize("received_on", [TODAY, dt.date(2026, 3, 2)], ids=["in_time", "late"])
def test_r_regn_1_register_and_the_import_store_the_same_rows(
    tmp_path, run_import, village_worker, received_on
):
    # Two women alike but for the ID's sequence digits and the name, from the same input.
    one, other = id_for(birth=BIRTH, seq=41), id_for(birth=BIRTH, seq=42)
    registered = register(
        RegistrationInput(
            id_number=one, name="王芳", home_code=SANTAI_VILLAGE, residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 3, 1), reason="work", marital_status="first_marriage",
            phone="13800138000", received_on=received_on,
        ),
        kind="inflow", acting_user=village_worker, today=TODAY,
    ).person  # fmt: skip
    header = ["姓名", "身份证号", "户籍地", "现居住地", "到达日期", "流动原因", "婚姻状况",
              "联系电话", "接收日期"]  # fmt: skip
    row = ["李娟", other, SANTAI_VILLAGE, NANSHAN_VILLAGE, "2026-03-01", "务工", "已婚",
           "13800138000", received_on.isoformat()]  # fmt: skip
    job = run_import(write_csv(tmp_path / "one.csv", [row], header=header, title=False))
    assert job.status == ImportStatus.DONE, job.error
    assert job.created == 1
    imported = Person.objects.exclude(pk=registered.pk).get()

    assert _stored(imported) == _stored(registered)
    assert imported.registrations.get().recorded_in_time == (received_on == TODAY)
    # The ID stored and sealed alike: mask, blind index, ciphertext under the same key.
    assert imported.id_number_masked[:14] == registered.id_number_masked[:14]
    assert (imported.reveal_id_number(), registered.reveal_id_number()) == (other, one)
    assert imported.reveal_phone() == registered.reveal_phone() == "13800138000"
