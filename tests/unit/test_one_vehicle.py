"""A card action on a vehicle that is gone (deleted at another counter, merged away by sync) between
the search and the click is refused with the same Chinese sentence by every service, and writes
nothing (no audit entry, no outbox change)."""
from __future__ import annotations

import pytest

from desktop.core.ids import new_id
from desktop.services import auth, card_facts, contact, contact_details, reveal, vehicle_class, vehicle_dates
from desktop.services import settings as settings_svc
from desktop.services.errors import BadInput
from desktop.services.one_vehicle import MSG_NO_VEHICLE
from tests.conftest import AT

ACTIONS = {
    "card": lambda e, s, vid: card_facts.card_facts(e, s, vid, AT),
    "reveal": lambda e, s, vid: reveal.reveal(e, s, vid, "客户本人到柜台核对"),
    "use and seats": lambda e, s, vid: vehicle_class.record_vehicle_class(e, s, vid, "家庭自用", 5, now=AT),
    "contact details": lambda e, s, vid: contact_details.edit_contact(
        e, s, vid, contact_details.ContactEdit(address="示例路 1 号"), now=AT),
    "float notice": lambda e, s, vid: vehicle_dates.record_float_notice(e, s, vid, "0.9", now=AT),
    "inspection date": lambda e, s, vid: vehicle_dates.override_inspection(e, s, vid, "2027-03", "按行驶证副页",
                                                                           now=AT),
    "contact": lambda e, s, vid: contact.record_contact(
        e, s, vid, contact.ContactInput("phone", "no_answer"), settings_svc.load(e), now=AT),
    "stop contact": lambda e, s, vid: contact.stop_contact(e, s, vid, "客户要求不再来电", now=AT),
}


def _written(engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (c.exec_driver_sql("SELECT COUNT(*) FROM audit").scalar(),
                c.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar())


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_vehicle_that_is_gone_is_refused_in_chinese_and_nothing_is_written(app_ctx, action):
    engine = app_ctx.store().engine
    session = auth.login(engine, "admin", "admin-pass-1", now=AT)
    before = _written(engine)
    with pytest.raises(BadInput) as e:
        ACTIONS[action](engine, session, new_id())
    assert e.value.message == MSG_NO_VEHICLE
    assert _written(engine) == before
