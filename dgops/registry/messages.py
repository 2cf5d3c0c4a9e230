"""Every registry issue's message, in Thai (for operators) and English, keyed by issue code."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # file level
    "file.missing": ("ไม่พบไฟล์", "The file does not exist."),
    "file.empty": ("ไฟล์ว่างเปล่า (0 ไบต์)", "The file is empty (0 bytes)."),
    "file.too_large": (
        "ไฟล์มีขนาด {size_mb:.1f} MB เกินขนาดสูงสุด {limit_mb:.0f} MB ที่รับได้",
        "The file is {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit; it was not opened.",
    ),
    "file.unknown_type": (
        "ไม่รองรับไฟล์ชนิด {suffix} กรุณาใช้ .xlsx .ods หรือ .csv",
        "Files of type {suffix} are not supported; use .xlsx, .ods or .csv.",
    ),
    "xlsx.macro": (
        "ไฟล์มีมาโคร (VBA) ซึ่งไม่อนุญาต กรุณาบันทึกเป็น .xlsx แบบไม่มีมาโคร",
        "The workbook contains macros (VBA), which are refused; save it as a macro-free .xlsx.",
    ),
    "xlsx.legacy": (
        "ไฟล์ Excel รุ่นเก่า (.xls) ไม่รองรับ เพราะแยกสูตรออกจากค่าไม่ได้ กรุณาบันทึกเป็น .xlsx",
        "Legacy Excel (.xls) files are not supported (formulas cannot be told from values);"
        " save the file as .xlsx.",
    ),
    "xlsx.is_text": (
        "ไฟล์นี้ชื่อ .xlsx แต่เนื้อหาเป็นข้อความ (น่าจะเป็น CSV) กรุณาเปลี่ยนนามสกุลเป็น .csv",
        "The file is named .xlsx but holds plain text (probably CSV); rename it to .csv.",
    ),
    "xlsx.not_zip": (
        "ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง หรือไฟล์เสียหาย",
        "The file is not a valid Excel (.xlsx) workbook, or it is damaged.",
    ),
    "xlsx.not_workbook": (
        "ไฟล์ zip นี้ไม่ใช่สมุดงาน Excel",
        "The file is a zip archive but not an Excel workbook.",
    ),
    "xlsx.bomb": (
        "ไฟล์ถูกบีบอัดผิดปกติ (ขยายแล้วใหญ่เกินกำหนด: {detail}) จึงไม่เปิดอ่าน",
        "The workbook expands to an abnormal size ({detail}); it was not opened (zip bomb guard).",
    ),
    "xlsx.unreadable": (
        "อ่านไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหาย ({detail})",
        "The workbook could not be read; it may be damaged ({detail}).",
    ),
    "csv.encoding": (
        "อ่านรหัสอักขระของไฟล์ไม่ได้ กรุณาบันทึกเป็น CSV UTF-8",
        "The file's text encoding is not recognised; save it as CSV UTF-8.",
    ),
    "csv.cp874": (
        "อ่านไฟล์ด้วยรหัสอักขระ TIS-620/Windows-874",
        "The file was read as TIS-620/Windows-874 text.",
    ),
    "csv.is_zip": (
        "ไฟล์นี้ชื่อ .csv แต่เนื้อหาเป็นไฟล์ Excel กรุณาเปลี่ยนนามสกุลเป็น .xlsx",
        "The file is named .csv but is an Excel workbook; rename it to .xlsx.",
    ),
    "csv.binary": (
        "ไฟล์ CSV มีข้อมูลไบนารี ไม่ใช่ข้อความ",
        "The CSV file contains binary data, not text.",
    ),
    "csv.malformed": ("รูปแบบ CSV ผิด ({detail})", "Malformed CSV ({detail})."),
    # sheet level
    "sheet.missing": (
        "ไม่พบแผ่นงาน {sheet_name} (มี: {sheets})",
        "There is no sheet named {sheet_name} (sheets: {sheets}).",
    ),
    "sheet.chosen": (
        "ใช้แผ่นงาน {sheet_name} (ในไฟล์มี: {sheets})",
        "Reading sheet {sheet_name} (the workbook has: {sheets}).",
    ),
    "sheet.ambiguous": (
        "ไม่แน่ใจว่าจะอ่านแผ่นงานใด มีแผ่นงานที่มีข้อมูลหลายแผ่น: {candidates}"
        " กรุณาระบุชื่อแผ่นงาน (--sheet) หรือลบแผ่นงานที่ไม่ใช้",
        "More than one sheet could be the registry: {candidates}; name one with --sheet"
        " (or remove the others).",
    ),
    "sheet.all_hidden": (
        "ทุกแผ่นงานในไฟล์ถูกซ่อนไว้ ({hidden}) ระบบไม่อ่านแผ่นงานที่ซ่อน"
        " กรุณายกเลิกการซ่อน หรือระบุชื่อแผ่นงาน (--sheet)",
        "Every sheet is hidden ({hidden}); hidden sheets are read only when named (--sheet).",
    ),
    "sheet.hidden_skipped": (
        "ข้ามแผ่นงานที่ซ่อนอยู่: {hidden}",
        "Hidden sheets were not read: {hidden}.",
    ),
    "sheet.empty": ("แผ่นงานว่างเปล่า", "The sheet is empty."),
    "sheet.no_data": (
        "มีแต่หัวตาราง ไม่มีรายชื่อหน่วยงาน (ทะเบียนต้องเป็นรายชื่อทั้งหมดของรอบการสำรวจ)",
        "The sheet has headers but no agencies (the registry must list every agency).",
    ),
    "sheet.too_many_rows": (
        "จำนวนแถวเกิน {limit} แถว",
        "More than {limit} rows; the file was not read further.",
    ),
    "cell.merged": (
        "มีการผสานเซลล์ {ref} กรุณายกเลิกการผสานเซลล์",
        "Cells {ref} are merged; unmerge them.",
    ),
    "cell.formula": (
        "เซลล์ {cell} มีสูตร {formula} กรุณาใส่ค่าจริงแทนสูตร (วางแบบค่า)",
        "Cell {cell} holds a formula {formula}; values must be literal (paste as values).",
    ),
    "cell.date": (
        "เซลล์มีค่าเป็นวันที่ ({value}) ซึ่งไม่ควรอยู่ในคอลัมน์นี้",
        "The cell holds a date ({value}), which this column does not take.",
    ),
    # headers
    "header.below_title": (
        "แถว {first}–{last} เป็นชื่อเรื่อง ใช้แถว {header_row} เป็นหัวตาราง",
        "Rows {first}–{last} are titles; row {header_row} is read as the header.",
    ),
    "header.unknown": (
        'ไม่รู้จักคอลัมน์ "{header}" ระบบจะไม่นำเข้าคอลัมน์นี้',
        'Unknown column "{header}"; it is ignored.',
    ),
    "header.duplicate": (
        'คอลัมน์ "{header}" ซ้ำกับคอลัมน์ {other}',
        'Column "{header}" repeats column {other}.',
    ),
    "header.none": (
        "ไม่พบหัวตารางที่รู้จัก แถวแรกต้องเป็นชื่อคอลัมน์ เช่น รหัสหน่วยงาน, ชื่อหน่วยงาน (ภาษาไทย)",
        "No known header found; the header row must name the columns (code, name_th, ...).",
    ),
    "header.missing": (
        'ไม่มีคอลัมน์ที่จำเป็น "{header}"',
        'The required column "{header}" is missing.',
    ),
    # values
    "code.missing": ("ไม่ได้กรอกรหัสหน่วยงาน", "The agency code is empty."),
    "code.pattern": (
        'รหัสหน่วยงาน "{value}" ไม่ถูกต้อง (ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข - และ _ ไม่เกิน 32 ตัว)',
        'Agency code "{value}" is invalid (letters, digits, - and _ only, at most 32).',
    ),
    "code.number": (
        "รหัสหน่วยงานในเซลล์ {cell} ถูกบันทึกเป็นตัวเลข {value} (เลข 0 ข้างหน้าอาจหายไป)"
        " กรุณาจัดรูปแบบคอลัมน์รหัสเป็นข้อความ แล้วพิมพ์รหัสเดิมให้ครบ",
        "The agency code in cell {cell} is stored as the number {value} (leading zeros may"
        " have been dropped); format the code column as text and type the codes again.",
    ),
    "code.number_padded": (
        'รหัสหน่วยงานในเซลล์ {cell} ถูกบันทึกเป็นตัวเลข {value} ซึ่งแสดงผลเป็น "{likely}"'
        " รหัสเดิมน่าจะเป็น {likely} กรุณาจัดรูปแบบคอลัมน์รหัสเป็นข้อความ แล้วพิมพ์ {likely}",
        'The agency code in cell {cell} is stored as the number {value}, shown as "{likely}";'
        " the code is likely {likely}: format the column as text and type {likely}.",
    ),
    "parent_code.number": (
        "รหัสหน่วยงานต้นสังกัดในเซลล์ {cell} ถูกบันทึกเป็นตัวเลข {value} (เลข 0 ข้างหน้าอาจหายไป)"
        " กรุณาจัดรูปแบบคอลัมน์เป็นข้อความ แล้วพิมพ์รหัสเดิมให้ครบ",
        "The parent code in cell {cell} is stored as the number {value} (leading zeros may"
        " have been dropped); format the column as text and type the codes again.",
    ),
    "parent_code.number_padded": (
        'รหัสหน่วยงานต้นสังกัดในเซลล์ {cell} ถูกบันทึกเป็นตัวเลข {value} ซึ่งแสดงผลเป็น "{likely}"'
        " รหัสเดิมน่าจะเป็น {likely} กรุณาจัดรูปแบบคอลัมน์เป็นข้อความ แล้วพิมพ์ {likely}",
        'The parent code in cell {cell} is stored as the number {value}, shown as "{likely}";'
        " the code is likely {likely}: format the column as text and type {likely}.",
    ),
    "code.zeros_lost": (
        'รหัส "{value}" ในเซลล์ {cell} ไม่มีในระบบ แต่ตรงกับรหัสเดิม "{likely}" ที่ตัดเลข 0'
        " ข้างหน้าออก (โปรแกรมตารางคำนวณอาจตัดไป) ระบบจะไม่เพิ่มเป็นหน่วยงานใหม่"
        " กรุณาแก้เป็น {likely}",
        'Code "{value}" in cell {cell} is new but equals the existing code "{likely}" without'
        " its leading zeros (a spreadsheet program drops them); it is not added as a new"
        " agency: write {likely}.",
    ),
    "code.duplicate": (
        'รหัสหน่วยงาน "{value}" ซ้ำกับแถว {other_row}',
        'Agency code "{value}" is also used in row {other_row}.',
    ),
    "name_th.missing": ("ไม่ได้กรอกชื่อหน่วยงาน (ภาษาไทย)", "The Thai name is empty."),
    "value.too_long": ("ข้อความยาวเกิน {limit} ตัวอักษร", "The text is longer than {limit}."),
    "level.missing": ("ไม่ได้กรอกระดับหน่วยงาน", "The agency level is empty."),
    "level.unknown": (
        'ไม่รู้จักระดับหน่วยงาน "{value}" (เลือกจากรายการ)',
        'Unknown agency level "{value}" (pick one from the list).',
    ),
    "agency_type.unknown": (
        'ไม่รู้จักประเภทหน่วยงาน "{value}" (เลือกจากรายการ)',
        'Unknown agency type "{value}" (pick one from the list).',
    ),
    "agency_type.required": (
        "หน่วยงานระดับกรมต้องระบุประเภทหน่วยงาน",
        "A department-level agency needs an agency type.",
    ),
    "mission.unknown": (
        'ไม่รู้จักภารกิจ "{value}" (เลือกจากรายการ)',
        'Unknown mission "{value}" (pick one from the list).',
    ),
    "mission.required": (
        "หน่วยงานระดับกรมต้องระบุภารกิจ",
        "A department-level agency needs a mission.",
    ),
    "ministry.unknown": (
        'ไม่รู้จักกระทรวง "{value}" (เลือกจากรายการ)',
        'Unknown ministry "{value}" (pick one from the list).',
    ),
    "ministry.required": (
        "หน่วยงานระดับกรมต้องระบุสังกัดกระทรวง",
        "A department-level agency needs a ministry.",
    ),
    "province.unknown": (
        'ไม่รู้จักจังหวัด "{value}"',
        'Unknown province "{value}".',
    ),
    "province.required": (
        "หน่วยงานระดับ{level}ต้องระบุจังหวัด",
        "An agency at this level ({level}) needs a province.",
    ),
    "active.unknown": (
        'สถานะ "{value}" ไม่ถูกต้อง (ใช้ "ใช้งาน" หรือ "ยกเลิก")',
        'Status "{value}" is not understood (use active or inactive).',
    ),
    "parent.pattern": (
        'รหัสหน่วยงานต้นสังกัด "{value}" ไม่ถูกต้อง',
        'Parent code "{value}" is not a valid agency code.',
    ),
    "parent.unknown": (
        'ไม่พบหน่วยงานต้นสังกัดรหัส "{value}" ทั้งในไฟล์และในระบบ',
        'Parent code "{value}" is neither in the file nor in the database.',
    ),
    "parent.self": (
        'หน่วยงานต้นสังกัดเป็นหน่วยงานเดียวกัน ("{value}")',
        'The agency is its own parent ("{value}").',
    ),
    "parent.cycle": (
        "หน่วยงานต้นสังกัดวนกลับมาที่เดิม: {chain}",
        "Parent codes form a cycle: {chain}.",
    ),
    "parent.outside_file": (
        'หน่วยงานต้นสังกัด "{value}" ไม่อยู่ในไฟล์ จะถูกยกเลิกในรอบนี้',
        'Parent "{value}" is not in the file and will be deactivated.',
    ),
    "parent.inactive": (
        'หน่วยงานต้นสังกัด "{value}" มีสถานะยกเลิก',
        'Parent "{value}" is marked inactive.',
    ),
    "email.invalid": (
        'อีเมล "{value}" ไม่ถูกต้อง',
        'E-mail "{value}" is invalid: {detail}',
    ),
    "email.none": (
        "ต้องมีอีเมลของผู้ติดต่ออย่างน้อยหนึ่งคน เพื่อส่งหนังสือเชิญ",
        "At least one contact needs an e-mail address, to send the invitation to.",
    ),
    "phone.invalid": (
        'หมายเลขโทรศัพท์ "{value}" ไม่ถูกต้อง'
        " (เช่น 02-123-4567, 053-112-000, 081-234-5678, 02-123-4567 ต่อ 12)",
        'Phone "{value}" is not a Thai number'
        " (e.g. 02-123-4567, 053-112-000, 081-234-5678, 02-123-4567 ext 12).",
    ),
    "head.required": (
        'ต้องระบุตำแหน่งหัวหน้าหน่วยงาน (ใช้เป็นคำขึ้นต้น "เรียน" ในหนังสือ)',
        "The head of agency's title is required (it is the letter's salutation).",
    ),
    "head.no_name": (
        "ไม่ได้กรอกชื่อหัวหน้าหน่วยงาน",
        "The head of agency's name is empty.",
    ),
    # import level
    "deactivate.too_many": (
        "การนำเข้านี้จะยกเลิกหน่วยงาน {count} จาก {total} แห่ง ({share:.0%}) เกินเพดาน {limit:.0%}:"
        " {names} หากตั้งใจยกเลิกจริง ให้สั่งใหม่พร้อม --allow-deactivate {count}",
        "This import would deactivate {count} of {total} agencies ({share:.0%}), over the"
        " {limit:.0%} limit: {names}. If that is intended, run it again with"
        " --allow-deactivate {count}.",
    ),
    "cycle.missing": (
        "ไม่พบรอบการสำรวจปี {year} กรุณาสร้างรอบการสำรวจก่อน (dgops cycle create)",
        "There is no survey cycle {year}; create it first (dgops cycle create).",
    ),
}


def message(code: str, **params: Any) -> tuple[str, str]:
    """The Thai and English message of ``code`` with ``params`` filled in."""
    th, en = MESSAGES[code]
    return th.format(**params), en.format(**params)
