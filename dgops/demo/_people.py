"""Demo contacts: Thai people with titles, e-mails on reserved domains and Thai phone numbers.

Every address is on a domain reserved for examples by RFC 2606 (``<code>.example.org``,
``example.com``, ``example.net``): the demo can never mail a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from dgops.demo import _data
from dgops.registry import AgencyRecord, ContactRecord
from dgops.registry.models import AgencyLevel, AgencyType, ContactRole

PUBLIC_MAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net")
"""Where the demo's "personal" addresses live (stand-ins for free-mail providers)."""
AGENCY_MAIL_SUFFIX = ".example.org"
"""An agency's own addresses are on ``<code>.example.org``."""

_HEAD_TITLES: dict[str, str] = {
    "กองทัพบก": "ผู้บัญชาการทหารบก",
    "กองทัพเรือ": "ผู้บัญชาการทหารเรือ",
    "กองทัพอากาศ": "ผู้บัญชาการทหารอากาศ",
    "กองบัญชาการกองทัพไทย": "ผู้บัญชาการทหารสูงสุด",
    "สำนักงานตำรวจแห่งชาติ": "ผู้บัญชาการตำรวจแห่งชาติ",
    "สำนักงานอัยการสูงสุด": "อัยการสูงสุด",
    "สำนักงานการตรวจเงินแผ่นดิน": "ผู้ว่าการตรวจเงินแผ่นดิน",
    "ธนาคารแห่งประเทศไทย": "ผู้ว่าการธนาคารแห่งประเทศไทย",
    "สำนักงานประกันสังคม": "เลขาธิการสำนักงานประกันสังคม",
    "สำนักงานผู้ตรวจการแผ่นดิน": "เลขาธิการสำนักงานผู้ตรวจการแผ่นดิน",
    "สำนักงานราชบัณฑิตยสภา": "เลขาธิการราชบัณฑิตยสภา",
    "กองอำนวยการรักษาความมั่นคงภายในราชอาณาจักร": ("เลขาธิการกองอำนวยการรักษาความมั่นคงภายในราชอาณาจักร"),
}
# Heads who carry a military or police rank (written before the name, with a space).
_RANKS: dict[str, str] = {
    "กองทัพบก": "พลเอก",
    "กองบัญชาการกองทัพไทย": "พลเอก",
    "กองทัพเรือ": "พลเรือเอก",
    "กองทัพอากาศ": "พลอากาศเอก",
    "สำนักงานตำรวจแห่งชาติ": "พลตำรวจเอก",
}
# (prefix of the agency name, what replaces it in the head's title); first match wins.
_HEAD_PREFIX_RULES: tuple[tuple[str, str], ...] = (
    ("สำนักงานปลัด", "ปลัด"),
    ("สำนักงานเลขาธิการ", "เลขาธิการ"),
    ("สำนักเลขาธิการ", "เลขาธิการ"),
    ("สำนักงานคณะกรรมการ", "เลขาธิการคณะกรรมการ"),
    ("สำนักงานสภา", "เลขาธิการสภา"),
)

_OFFICIAL_POSITIONS: tuple[str, ...] = (
    "นักวิชาการคอมพิวเตอร์ชำนาญการ",
    "นักวิชาการคอมพิวเตอร์ชำนาญการพิเศษ",
    "นักวิชาการคอมพิวเตอร์ปฏิบัติการ",
    "นักวิเคราะห์นโยบายและแผนชำนาญการ",
    "นักวิเคราะห์นโยบายและแผนชำนาญการพิเศษ",
    "ผู้อำนวยการศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร",
    "นักจัดการงานทั่วไปชำนาญการ",
    "เจ้าพนักงานเครื่องคอมพิวเตอร์ชำนาญงาน",
)
_CORPORATE_POSITIONS: tuple[str, ...] = (
    "ผู้จัดการฝ่ายเทคโนโลยีสารสนเทศ",
    "ผู้อำนวยการฝ่ายดิจิทัลและสารสนเทศ",
    "นักวิเคราะห์ระบบอาวุโส",
    "หัวหน้างานยุทธศาสตร์องค์กร",
    "เจ้าหน้าที่บริหารงานทั่วไป",
    "นักวิชาการคอมพิวเตอร์",
)
_LOCAL_POSITIONS: tuple[str, ...] = (
    "นักวิชาการคอมพิวเตอร์ปฏิบัติการ",
    "นักวิเคราะห์นโยบายและแผนปฏิบัติการ",
    "นักวิเคราะห์นโยบายและแผนชำนาญการ",
    "หัวหน้าสำนักปลัด",
    "เจ้าพนักงานธุรการชำนาญงาน",
    "นักจัดการงานทั่วไปปฏิบัติการ",
)
_PROVINCIAL_CIO_UNIT = "หัวหน้ากลุ่มยุทธศาสตร์และข้อมูลสารสนเทศ"


def head_rank(name_th: str) -> str | None:
    """The military or police rank the head of ``name_th`` carries, if any."""
    return _RANKS.get(name_th)


def head_title(name_th: str) -> str:
    """The title an official letter is addressed to: กรมสรรพากร → อธิบดีกรมสรรพากร."""
    if name_th in _HEAD_TITLES:
        return _HEAD_TITLES[name_th]
    for prefix, replacement in _HEAD_PREFIX_RULES:
        if name_th.startswith(prefix):
            return replacement + name_th.removeprefix(prefix)
    if name_th.startswith("สำนักงานศาล"):
        return "เลขาธิการ" + name_th
    if name_th.startswith("กรม"):
        return "อธิบดี" + name_th
    if name_th.startswith("การ"):
        return "ผู้ว่าการ" + name_th
    if name_th.startswith("บริษัท"):
        return "กรรมการผู้จัดการใหญ่ " + name_th
    if name_th.startswith(("ธนาคาร", "บรรษัท")):
        return "ผู้จัดการ" + name_th
    if name_th.startswith("มหาวิทยาลัย"):
        return "อธิการบดี" + name_th
    return "ผู้อำนวยการ" + name_th


@dataclass(frozen=True, slots=True)
class Seat:
    """An agency without contacts yet, with what its contacts need: titles and phone area."""

    record: AgencyRecord
    head_title: str
    cio_title: str
    area_code: str = "02"
    head_rank: str | None = None


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    roman: str
    """``somchai.j``: the local part of an official address."""
    roman_full: str
    """``somchai.jaidee``: the local part of a personal address."""


class ContactFactory:
    """Makes the contacts of one agency from a random source owned by the caller."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._given = _data.given_names()
        self._surnames = _data.surnames()
        self._personal_used: set[str] = set()

    def person(self, rank: str | None = None) -> _Person:
        rng = self._rng
        given = rng.choice(self._given)
        surname = rng.choice(self._surnames)
        if rank:
            prefix = rank + " "
        elif given.female:
            prefix = "นาง" if rng.random() < 0.45 else "นางสาว"
        else:
            prefix = "นาย"
        return _Person(
            name=f"{prefix}{given.thai} {surname.thai}",
            roman=f"{given.roman}.{surname.roman[0]}",
            roman_full=f"{given.roman}.{surname.roman}",
        )

    def landline(self, area_code: str) -> str:
        rng = self._rng
        if area_code == "02":
            return f"02-{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
        return f"{area_code}-{rng.randint(200, 999)}-{rng.randint(0, 999):03d}"

    def mobile(self) -> str:
        rng = self._rng
        return f"08{rng.randint(0, 9)}-{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"

    def personal_email(self, person: _Person) -> str:
        # Public-domain addresses are shared by every agency: keep them unique in the registry.
        domain = self._rng.choice(PUBLIC_MAIL_DOMAINS)
        local = person.roman_full
        while f"{local}@{domain}" in self._personal_used:
            local = f"{person.roman_full}{self._rng.randint(1, 99)}"
        address = f"{local}@{domain}"
        self._personal_used.add(address)
        return address

    def contacts(self, seat: Seat) -> tuple[ContactRecord, ...]:
        """Head, CIO, coordinator and (for about a third) a backup coordinator."""
        rng = self._rng
        record = seat.record
        domain = record.code.lower() + AGENCY_MAIL_SUFFIX
        office = self.landline(seat.area_code)
        used_locals: set[str] = set()

        def official(person: _Person) -> str:
            local = person.roman
            n = 1
            while local in used_locals:
                n += 1
                local = f"{person.roman}{n}"
            used_locals.add(local)
            return f"{local}@{domain}"

        head = self.person(seat.head_rank)
        if rng.random() < 0.6:
            used_locals.add("saraban")
            head_email = f"saraban@{domain}"
        else:
            head_email = official(head)
        out = [ContactRecord(ContactRole.HEAD, head.name, seat.head_title, head_email, office)]

        cio = self.person()
        cio_phone = office if rng.random() < 0.5 else f"{office} ต่อ {rng.randint(100, 9999)}"
        out.append(
            ContactRecord(ContactRole.CIO, cio.name, seat.cio_title, official(cio), cio_phone)
        )

        positions = _positions(record)
        coordinator = self.person()
        coord_email = (
            self.personal_email(coordinator) if rng.random() < 0.2 else official(coordinator)
        )
        coord_phone = f"{office} ต่อ {rng.randint(100, 9999)}"
        if rng.random() < 0.5:
            coord_phone = f"{coord_phone}, {self.mobile()}"
        out.append(
            ContactRecord(
                ContactRole.COORDINATOR,
                coordinator.name,
                rng.choice(positions),
                coord_email,
                coord_phone,
            )
        )
        if rng.random() < 0.35:
            backup = self.person()
            backup_email = self.personal_email(backup) if rng.random() < 0.3 else official(backup)
            out.append(
                ContactRecord(
                    ContactRole.BACKUP,
                    backup.name,
                    rng.choice(positions),
                    backup_email,
                    self.mobile(),
                )
            )
        return tuple(out)


def _positions(record: AgencyRecord) -> tuple[str, ...]:
    if record.level is AgencyLevel.LOCAL_GOVERNMENT:
        return _LOCAL_POSITIONS
    if record.agency_type in (
        AgencyType.STATE_ENTERPRISE,
        AgencyType.PUBLIC_ORGANIZATION,
        AgencyType.OTHER,
    ):
        return _CORPORATE_POSITIONS
    return _OFFICIAL_POSITIONS


def provincial_cio_title(agency_name: str) -> str:
    """The CIO of a provincial office is usually its strategy-and-information unit head."""
    return f"{_PROVINCIAL_CIO_UNIT} {agency_name}"


# --- deliberately imperfect contacts (for the quality stages) ----------------------------------

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _defects(contact: ContactRecord, rng: random.Random) -> ContactRecord:
    """One realistic defect of the kind operators meet in agencies' spreadsheets."""
    kind = rng.randrange(8)
    email = contact.email or ""
    phone = contact.phone or ""
    if kind == 0 and email:  # typed with capitals and stray spaces: fixable by normalising
        local, _, domain = email.partition("@")
        return replace(contact, email=f" {local.capitalize()}@{domain.upper()} ")
    if kind == 1 and email:  # the @ got lost
        return replace(contact, email=email.replace("@", ".", 1))
    if kind == 2 and email:  # a truncated domain
        return replace(
            contact, email=email.removesuffix(".org").removesuffix(".com").removesuffix(".net")
        )
    if kind == 3 and phone:  # Thai digits
        return replace(contact, phone=phone.translate(_THAI_DIGITS))
    if kind == 4 and phone:  # digits only, as Excel likes to keep them
        first = phone.split(",")[0].split(" ต่อ ")[0]
        return replace(contact, phone=first.replace("-", ""))
    if kind == 5:  # e-mail missing
        return replace(contact, email=None)
    if kind == 6:  # doubled and zero-width spaces in the name
        return replace(contact, name=contact.name.replace(" ", "  \u200b", 1))
    return replace(contact, phone=None)  # phone missing


def make_imperfect(
    records: list[AgencyRecord], rng: random.Random, rate: float = 0.04
) -> list[AgencyRecord]:
    """A copy of ``records`` with about ``rate`` of the contacts damaged (head titles never,
    so every agency can still be addressed)."""
    out = []
    for record in records:
        contacts = tuple(_defects(c, rng) if rng.random() < rate else c for c in record.contacts)
        out.append(replace(record, contacts=contacts))
    return out
