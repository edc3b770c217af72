"""Moving a deal through the API follows the board's rules: a lost stage needs a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thrive.commerce import services
from thrive.commerce.models import Deal, DealStage
from thrive.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_deal_moved_to_lost_through_the_api_needs_its_reason(owner_api):
    lead = DealStage.objects.create(name="Lead", position=1, probability=Decimal("0.1"))
    lost = DealStage.objects.create(name="Lost", position=2, probability=0, is_lost=True)
    deal = services.save_deal(None, actor=None, title="Espresso", person=PersonFactory(),
                              stage=lead, value="900", currency="USD")  # fmt: skip
    refused = owner_api.send("PATCH", f"/deals/{deal.pk}", {"stage_id": lost.pk})
    assert refused.status_code in {400, 422}
    assert "Say why the deal was lost" in refused.content.decode()
    assert Deal.objects.get().stage == lead
    moved = owner_api.send("PATCH", f"/deals/{deal.pk}", {"stage_id": lost.pk,
                                                         "lost_reason": "Price"})  # fmt: skip
    assert moved.status_code == 200
    assert Deal.objects.get().lost_reason == "Price"
