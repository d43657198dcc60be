"""The rule sets in the browser: a province's own new version, and no edit for others (R-REG-1)."""

import pytest
from django.urls import reverse

from yipanqi.regions.models import RuleSet

pytestmark = pytest.mark.django_db


def test_r_reg_1_a_province_admin_saves_a_new_version(client, province_admin):
    client.force_login(province_admin)
    url = reverse("regions:region", args=["province-44"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"effective_from": "2026-12-01", "deadline_verification": "12", "note": "广东 2027"}
    )
    assert response.status_code == 302
    assert RuleSet.objects.filter(region__code="province-44").count() == 1
    assert "12" in client.get(reverse("regions:rules")).content.decode()


def test_r_reg_1_others_cannot_edit_a_region(client, township_operator):
    client.force_login(township_operator)
    url = reverse("regions:region", args=["pan-pearl"])
    assert client.post(url, {"effective_from": "2026-12-01"}).status_code == 404
