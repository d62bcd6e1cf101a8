"""A registered vehicle with real-looking 交强险 and 商业险 terms, for the after-sales tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.status import Term
from desktop.core.timeutil import CST
from desktop.services import register
from desktop.store import writes
from desktop.store.records import TermRec

CI_NO, BI_NO = "PDZA202544030000123456", "PDAA202544030000654321"


@dataclass(frozen=True)
class Car:
    vehicle_id: str
    plate: str
    phone: str
    name: str


def add_car(engine, session, seed: int, insurer: str = "中国平安财产保险股份有限公司", ci_end=(2027, 3, 1),
            bi: bool = True, consent: bool = True, phone: str | None = None, plate: str | None = None) -> Car:
    fake = FakeData(seed)
    name, phone = fake.name(), phone or fake.mobile()
    reg = register.register(engine, session, register.NewRegistration(
        plate=plate or fake.plate(), vin=fake.vin(), name=name, phone=phone, id_number=fake.id_number(),
        address=fake.address(), consent_contact=consent, consent_mail=consent))
    end = datetime(*ci_end, tzinfo=CST)
    start = end.replace(year=end.year - 1)
    with engine.begin() as conn:
        terms = [Term("CI", start, end, insurer, CI_NO, "counter", start, session.name, new_id())]
        if bi:
            terms.append(Term("BI", start, end, insurer, BI_NO, "counter", start, session.name, new_id()))
        writes.insert_terms(conn, [TermRec.of(reg.vehicle_id, t) for t in terms])
    return Car(reg.vehicle_id, reg.plate, phone, name)
