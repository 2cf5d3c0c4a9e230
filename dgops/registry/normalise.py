"""Cleaning cell values: Thai digits, stray and zero-width spaces, full-width forms, phones, e-mail.

Thai text is not passed through NFKC as a whole: NFKC decomposes sara am (ำ, U+0E33) into nikhahit
and sara aa, which changes every สำนักงาน. Only the non-Thai, non-ASCII runs are NFKC-normalised
(full-width letters and digits, ideographic spaces, ligatures).
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import TypeVar

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from pythainlp.util import thai_digit_to_arabic_digit

E = TypeVar("E", bound=Enum)

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_OTHER_NON_ASCII = re.compile("[^\x00-\x7f\u0e00-\u0e7f]+")
_THAI_DIGITS = re.compile("[\u0e50-\u0e59]")
_SPACES = re.compile(r"\s+")


def _nfkc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


# Text that clean_text would return unchanged: printable ASCII and Thai (no Thai digits) in
# words separated by single spaces. Most cells are like this; one C-level match skips the rest.
_CLEAN_WORD = "[\x21-\x7e\u0e00-\u0e4f\u0e5a-\u0e7f]+"
ALREADY_CLEAN = re.compile(f"{_CLEAN_WORD}(?: {_CLEAN_WORD})*")


def clean_text(value: str) -> str:
    """Strip, collapse every kind of whitespace to one space, drop zero-width characters,
    NFKC the non-Thai non-ASCII runs, and turn Thai digits into Arabic digits."""
    if ALREADY_CLEAN.fullmatch(value) is not None:
        return value
    if not value.isascii():
        value = _ZERO_WIDTH.sub("", value)
        value = _OTHER_NON_ASCII.sub(_nfkc, value)
        if _THAI_DIGITS.search(value):
            value = thai_digit_to_arabic_digit(value)
    # str.split() splits on every Unicode space (no-break, ideographic, ...), in C.
    return " ".join(value.split())


_LABEL_SEPARATORS = re.compile(r"[\s_\-]+")


@lru_cache(maxsize=4096)
def label_key(value: str) -> str:
    """A value reduced for matching against codes and Thai labels (no spaces, case-folded)."""
    return _LABEL_SEPARATORS.sub("", unicodedata.normalize("NFKC", value).casefold())


def build_choice_index(enum_cls: type[E], labels: dict[E, str]) -> dict[str, E]:
    """Map codes, enum names and Thai labels (all via :func:`label_key`) to enum members."""
    index: dict[str, E] = {}
    for member in enum_cls:
        index[label_key(str(member.value))] = member
        index[label_key(member.name)] = member
        index[label_key(labels[member])] = member
    return index


# --- phone numbers ----------------------------------------------------------------------------
# Thai numbering: landlines have 9 digits, Bangkok and its vicinity 02-XXX-XXXX, elsewhere a
# two-digit area code 0XX-XXX-XXX (032, 053, 076, ...); mobiles have 10 digits, 06/08/09:
# 0XX-XXX-XXXX. Hotlines are four digits starting with 1.

_EXT = re.compile(r"(?:ต่อ|ext\.?|extension|x|#)\s*([0-9][0-9 ,\-]*)$", re.IGNORECASE)
_PHONE_SPLIT = re.compile(r"[,;\n]|\s+(?:หรือ|or)\s+")
_BAD_PHONE_CHARS = re.compile(r"[^0-9+\-\s().]")
_NON_DIGIT = re.compile(r"\D")
_LANDLINE_AREA = frozenset("3457")  # first digit of a provincial area code
_LANDLINE_FIRST = frozenset("23457")
_MOBILE_PREFIX = frozenset("689")
# A number already written the way _one_phone writes it (the common case in a registry that
# has been through an export): returned as is, without taking it apart.
_ONE_CANONICAL = (
    r"(?:02-[0-9]{3}-[0-9]{4}|0[3457][0-9]-[0-9]{3}-[0-9]{3}|0[689][0-9]-[0-9]{3}-[0-9]{4})"
    r"(?: ต่อ [0-9]{1,6})?"
)
_CANONICAL_PHONE = re.compile(_ONE_CANONICAL)
_CANONICAL_PHONES = re.compile(f"{_ONE_CANONICAL}(?:, {_ONE_CANONICAL})*")


class PhoneError(ValueError):
    pass


def _format_digits(digits: str, plus: bool) -> str | None:
    """``digits`` (a whole number, no extension) in the Thai format, or None if it is not one."""
    n = len(digits)
    if plus or (n in (10, 11) and digits.startswith("66")):
        # +66 / 66: the country code replaces the trunk zero (+66 2 123 4567 → 02-123-4567).
        if not digits.startswith("66"):
            return None
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest  # +66 (0)2 ... has both
        n = len(digits)
    elif n == 8 and digits[0] in _LANDLINE_FIRST:
        digits = "0" + digits  # a landline whose leading zero Excel dropped
        n = 9
    elif n == 9 and digits[0] in _MOBILE_PREFIX:
        digits = "0" + digits  # a mobile whose leading zero Excel dropped
        n = 10
    if n == 9 and digits[0] == "0":
        if digits[1] == "2":
            return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
        if digits[1] in _LANDLINE_AREA:
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return None
    if n == 10 and digits[0] == "0" and digits[1] in _MOBILE_PREFIX:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return None


def _one_phone(raw: str) -> str:
    text = raw.strip()
    if _CANONICAL_PHONE.fullmatch(text):
        return text
    ext = ""
    m = _EXT.search(text)
    if m:
        ext_digits = _NON_DIGIT.sub("", m.group(1))
        if not ext_digits or len(ext_digits) > 6:
            raise PhoneError(raw)
        ext = f" ต่อ {ext_digits}"
        text = text[: m.start()]
    if _BAD_PHONE_CHARS.search(text):
        raise PhoneError(raw)
    digits = _NON_DIGIT.sub("", text)
    if len(digits) == 4 and digits.startswith("1") and not ext and "+" not in text:
        return digits  # a hotline such as 1111
    formatted = _format_digits(digits, text.lstrip().startswith("+"))
    if formatted is None:
        raise PhoneError(raw)
    return formatted + ext


def normalise_phone(value: str) -> str:
    """One format for Thai numbers: ``02-XXX-XXXX`` (Bangkok landline), ``0XX-XXX-XXX`` (other
    landlines), ``0XX-XXX-XXXX`` (mobiles 06, 08, 09); ``+66``/``66`` turned into ``0``, a
    leading zero dropped by Excel restored, extensions written ``ต่อ 123``; several numbers
    joined by ``, ``.

    Raises :class:`PhoneError` when a part is not a Thai number.
    """
    if _CANONICAL_PHONES.fullmatch(value):
        return value
    parts = [p for p in (s.strip() for s in _PHONE_SPLIT.split(value)) if p]
    if not parts:
        raise PhoneError(value)
    return ", ".join(_one_phone(p) for p in parts)


def phone_from_number(value: float) -> str:
    """A phone typed as a number in Excel lost its leading zero: 21234567 → ``021234567``."""
    digits = str(int(value))
    return digits if digits.startswith("0") or len(digits) < 8 else "0" + digits


# --- e-mail -----------------------------------------------------------------------------------


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_EMAIL = re.compile(
    rf"^({_ATOM}(?:\.{_ATOM})*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63})$"
)


_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(value: str) -> str | None:
    """The common case (ASCII dot-atom, ordinary domain) that email-validator would accept
    unchanged but for the domain's case; None sends the address to email-validator."""
    m = _PLAIN_EMAIL.match(value)
    if m is None:
        return None
    local, domain = m.groups()
    if len(local) > 64 or len(value) > 254 or "--" in domain:
        return None
    lower = domain.lower()
    if lower.rsplit(".", 1)[-1] in _SPECIAL_USE:  # every special-use name is one label
        return None
    return value if lower == domain else f"{local}@{lower}"


def normalise_email(value: str) -> str:
    """The normalised address (domain lower-cased); syntax only, no DNS or network.

    Plain ASCII addresses take a fast path that gives email-validator's answer (a test checks
    the two agree); everything else goes through email-validator. Raises :class:`ValueError`
    with email-validator's explanation when the syntax is wrong.
    """
    plain = _plain_email(value)
    if plain is not None:
        return plain
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


# --- active flag ------------------------------------------------------------------------------

ACTIVE_TH = "ใช้งาน"
INACTIVE_TH = "ยกเลิก"
_TRUE = {"1", "true", "yes", "y", "active", "ใช่", "ใช้งาน", "ใช้", "ปกติ", "✓"}
_FALSE = {"0", "false", "no", "n", "inactive", "ไม่ใช่", "ไม่ใช้งาน", "ยกเลิก", "ไม่ใช้", "เลิก"}


_ACTIVE_KEYS = {label_key(v): True for v in _TRUE} | {label_key(v): False for v in _FALSE}


def parse_active(value: str) -> bool | None:
    """True/False for the many ways operators write it; None if unrecognisable."""
    return _ACTIVE_KEYS.get(label_key(value))
