"""Reference lists of the registry (levels, types, missions, ministries, provinces, offices),
and the check of references between agencies (:func:`check_references`: parent codes).

Thai labels are what operators type and see in spreadsheets; the codes are what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from dgops.registry.issues import RegistryIssue, Severity
from dgops.registry.models import AgencyLevel, AgencyType, ContactRole, Mission
from dgops.registry.result import ReadResult

LEVEL_LABELS_TH: dict[AgencyLevel, str] = {
    AgencyLevel.DEPARTMENT: "หน่วยงานระดับกรมหรือเทียบเท่า",
    AgencyLevel.PROVINCIAL_OFFICE: "ส่วนราชการระดับจังหวัด",
    AgencyLevel.PROVINCIAL_CIO: "คณะกรรมการ CIO จังหวัด",
    AgencyLevel.LOCAL_GOVERNMENT: "องค์กรปกครองส่วนท้องถิ่น",
}

TYPE_LABELS_TH: dict[AgencyType, str] = {
    AgencyType.GOVERNMENT_AGENCY: "หน่วยงานราชการ",
    AgencyType.STATE_ENTERPRISE: "รัฐวิสาหกิจ",
    AgencyType.PUBLIC_ORGANIZATION: "องค์การมหาชน",
    AgencyType.INDEPENDENT_ORGANIZATION: "องค์กรอิสระ",
    AgencyType.OTHER: "อื่น ๆ",
}

MISSION_LABELS_TH: dict[Mission, str] = {
    Mission.POLICY: "ด้านนโยบาย กำกับดูแล และประสานงาน",
    Mission.SERVICE: "ด้านการให้บริการ",
}

ROLE_LABELS_TH: dict[ContactRole, str] = {
    ContactRole.HEAD: "หัวหน้าหน่วยงาน",
    ContactRole.CIO: "ผู้บริหารเทคโนโลยีสารสนเทศระดับสูง (CIO)",
    ContactRole.DCIO: "รองผู้บริหารเทคโนโลยีสารสนเทศระดับสูง (DCIO)",
    ContactRole.COORDINATOR: "ผู้ประสานงาน",
    ContactRole.BACKUP: "ผู้ประสานงานสำรอง",
}

NO_MINISTRY = "ไม่สังกัดกระทรวง"

MINISTRIES: tuple[str, ...] = (
    "สำนักนายกรัฐมนตรี",
    "กระทรวงกลาโหม",
    "กระทรวงการคลัง",
    "กระทรวงการต่างประเทศ",
    "กระทรวงการท่องเที่ยวและกีฬา",
    "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม",
    "กระทรวงเกษตรและสหกรณ์",
    "กระทรวงคมนาคม",
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "กระทรวงพลังงาน",
    "กระทรวงพาณิชย์",
    "กระทรวงมหาดไทย",
    "กระทรวงยุติธรรม",
    "กระทรวงแรงงาน",
    "กระทรวงวัฒนธรรม",
    "กระทรวงศึกษาธิการ",
    "กระทรวงสาธารณสุข",
    "กระทรวงอุตสาหกรรม",
    NO_MINISTRY,
)

BANGKOK = "กรุงเทพมหานคร"

# The 76 provinces (จังหวัด) outside Bangkok; Bangkok is a special local government.
PROVINCES: tuple[str, ...] = (
    "กระบี่",
    "กาญจนบุรี",
    "กาฬสินธุ์",
    "กำแพงเพชร",
    "ขอนแก่น",
    "จันทบุรี",
    "ฉะเชิงเทรา",
    "ชลบุรี",
    "ชัยนาท",
    "ชัยภูมิ",
    "ชุมพร",
    "เชียงราย",
    "เชียงใหม่",
    "ตรัง",
    "ตราด",
    "ตาก",
    "นครนายก",
    "นครปฐม",
    "นครพนม",
    "นครราชสีมา",
    "นครศรีธรรมราช",
    "นครสวรรค์",
    "นนทบุรี",
    "นราธิวาส",
    "น่าน",
    "บึงกาฬ",
    "บุรีรัมย์",
    "ปทุมธานี",
    "ประจวบคีรีขันธ์",
    "ปราจีนบุรี",
    "ปัตตานี",
    "พระนครศรีอยุธยา",
    "พะเยา",
    "พังงา",
    "พัทลุง",
    "พิจิตร",
    "พิษณุโลก",
    "เพชรบุรี",
    "เพชรบูรณ์",
    "แพร่",
    "ภูเก็ต",
    "มหาสารคาม",
    "มุกดาหาร",
    "แม่ฮ่องสอน",
    "ยโสธร",
    "ยะลา",
    "ร้อยเอ็ด",
    "ระนอง",
    "ระยอง",
    "ราชบุรี",
    "ลพบุรี",
    "ลำปาง",
    "ลำพูน",
    "เลย",
    "ศรีสะเกษ",
    "สกลนคร",
    "สงขลา",
    "สตูล",
    "สมุทรปราการ",
    "สมุทรสงคราม",
    "สมุทรสาคร",
    "สระแก้ว",
    "สระบุรี",
    "สิงห์บุรี",
    "สุโขทัย",
    "สุพรรณบุรี",
    "สุราษฎร์ธานี",
    "สุรินทร์",
    "หนองคาย",
    "หนองบัวลำภู",
    "อ่างทอง",
    "อำนาจเจริญ",
    "อุดรธานี",
    "อุตรดิตถ์",
    "อุทัยธานี",
    "อุบลราชธานี",
)

ALL_PROVINCES: tuple[str, ...] = (BANGKOK, *PROVINCES)

# The 19 provincial offices surveyed in every province (2018 kick-off deck), with the ministry
# each belongs to.
PROVINCIAL_OFFICES: tuple[tuple[str, str], ...] = (
    ("สำนักงานจังหวัด", "กระทรวงมหาดไทย"),
    ("สำนักงานคลังจังหวัด", "กระทรวงการคลัง"),
    ("สำนักงานจัดหางานจังหวัด", "กระทรวงแรงงาน"),
    ("ศูนย์พัฒนาฝีมือแรงงานจังหวัด", "กระทรวงแรงงาน"),
    ("สำนักงานเกษตรจังหวัด", "กระทรวงเกษตรและสหกรณ์"),
    ("สำนักงานการท่องเที่ยวจังหวัด", "กระทรวงการท่องเที่ยวและกีฬา"),
    ("สำนักงานสรรพากรพื้นที่จังหวัด", "กระทรวงการคลัง"),
    ("สำนักงานขนส่งจังหวัด", "กระทรวงคมนาคม"),
    ("สำนักงานพลังงานจังหวัด", "กระทรวงพลังงาน"),
    ("สำนักงานที่ดินจังหวัด", "กระทรวงมหาดไทย"),
    ("สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัด", "กระทรวงมหาดไทย"),
    ("สำนักงานสถิติจังหวัด", "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"),
    ("สำนักงานอุตสาหกรรมจังหวัด", "กระทรวงอุตสาหกรรม"),
    ("สำนักงานประกันสังคมจังหวัด", "กระทรวงแรงงาน"),
    ("สำนักงานศึกษาธิการจังหวัด", "กระทรวงศึกษาธิการ"),
    ("สำนักงานพาณิชย์จังหวัด", "กระทรวงพาณิชย์"),
    ("สำนักงานสาธารณสุขจังหวัด", "กระทรวงสาธารณสุข"),
    ("สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด", "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม"),
    ("สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด", "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"),
)

assert len(PROVINCES) == 76, len(PROVINCES)
assert len(PROVINCIAL_OFFICES) == 19
assert len(set(MINISTRIES)) == len(MINISTRIES) == 21


def check_references(
    result: ReadResult, existing_parents: Mapping[str, str | None]
) -> list[RegistryIssue]:
    """Check the parent codes of a read registry against itself and the database.

    Parent codes must name an agency in the file or in ``existing_parents`` (code → parent
    code of agencies already in the database), and parents must not form a cycle."""
    issues: list[RegistryIssue] = []
    in_file = {r.code: i for i, r in enumerate(result.records)}
    parent_of: dict[str, str | None] = dict(existing_parents)
    parent_of.update({r.code: r.parent_code for r in result.records})
    for i, record in enumerate(result.records):
        parent = record.parent_code
        if parent is None:
            continue
        if parent == record.code:
            issues.append(result.issue("parent.self", index=i, field="parent_code", value=parent))
        elif parent not in in_file and parent not in existing_parents:
            issues.append(
                result.issue("parent.unknown", index=i, field="parent_code", value=parent)
            )
        elif parent not in in_file:
            issues.append(
                result.issue(
                    "parent.outside_file",
                    index=i,
                    field="parent_code",
                    value=parent,
                    severity=Severity.WARNING,
                )
            )
        elif not result.records[in_file[parent]].active and record.active:
            issues.append(
                result.issue(
                    "parent.inactive",
                    index=i,
                    field="parent_code",
                    value=parent,
                    severity=Severity.WARNING,
                )
            )
    # Cycles: walk up from every agency in the file; a walk that meets itself is a cycle.
    reported: set[str] = set()
    for i, record in enumerate(result.records):
        seen: list[str] = []
        code: str | None = record.code
        while code is not None and code not in seen and len(seen) <= len(parent_of):
            seen.append(code)
            code = parent_of.get(code)
        if code == record.code and record.parent_code != record.code:
            loop = seen
            if not reported.intersection(loop):
                reported.update(loop)
                issues.append(
                    result.issue(
                        "parent.cycle",
                        index=i,
                        field="parent_code",
                        chain=" → ".join([*loop, record.code]),
                    )
                )
    return issues
