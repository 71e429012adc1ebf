"""Example contexts of every letter and document kind.

Documentation by example of the schema in ``web.pdf.render``; the bench and the tests render
them. Names include characters outside GB2312 (堃, 喆, 䶮, 𠮷) on purpose: they must print.
"""

from __future__ import annotations

import copy
import struct
import zlib
from typing import Any

CASE = {
    "reference": "JT2026-0042",
    "community": "光武花园",
    "address": "枣阳市南城街道光武大道12号",
    "building": "3号楼",
    "unit": "2单元",
    "floors": 6,
    "households": 12,
}
OWNERS = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵堃",
    "黄喆",
    "周䶮",
    "吴𠮷",
    "徐丽",
    "孙强",
]
APPLICANT = {"name": "张伟", "phone_masked": "138****5678"}
QUORUM = {
    "participation_area": "91.67%",
    "participation_count": "91.67%",
    "agree_area": "90.91%",
    "agree_count": "90.91%",
}
OPINIONS = [
    {
        "department": "housing",
        "department_label": "枣阳市住房和城乡建设局",
        "verdict": "agree",
        "comment": "设计方案符合既有住宅加装电梯技术要求",
    },
    {
        "department": "planning",
        "department_label": "枣阳市自然资源和规划局",
        "verdict": "agree",
        "comment": "不影响消防通道，与相邻建筑间距满足要求",
    },
    {
        "department": "market",
        "department_label": "枣阳市市场监督管理局",
        "verdict": "agree",
        "comment": "电梯选型符合特种设备安全要求",
    },
]

_LETTER = {
    "city": "枣阳市",
    "authority": "枣阳市住房和城乡建设局",
    "reconsideration_body": "枣阳市人民政府",
    "court": "枣阳市人民法院",
    "issued_on": "2026-11-27",
    "addressee": "光武花园3号楼2单元 张伟、王芳、李娜等12户业主",
    "applicant": APPLICANT,
    "owners": OWNERS,
    "case": CASE,
    "quorum": QUORUM,
    "opinions": OPINIONS,
    "verify_code": "ABCD2345EF",
    "verify_url": "http://127.0.0.1:5000/verify/ABCD2345EF",
}

LETTERS: dict[str, dict[str, Any]] = {
    "acceptance_notice": {
        **_LETTER,
        "kind": "acceptance_notice",
        "title": "受理通知书",
        "number": "枣阳住建梯受〔2026〕15号",
        "received_on": "2026-11-25",
        "review_deadline": "2026-12-11",
        "opinions": [],
    },
    "correction_notice": {
        **_LETTER,
        "kind": "correction_notice",
        "title": "补正材料通知书",
        "number": "枣阳住建梯补〔2026〕3号",
        "opinions": [],
        "items": [
            "设计方案缺少结构安全评估报告，请补充由具备资质的单位出具的评估报告",
            "302室业主签名与产权证姓名不一致，请提供委托书或产权变更证明",
            "公示照片未显示公示日期，请补充能反映公示起止日期的现场照片",
        ],
    },
    "approval_decision": {
        **_LETTER,
        "kind": "approval_decision",
        "title": "准予加装电梯决定书",
        "number": "枣阳住建梯准〔2026〕7号",
        # An objection mediated without agreement: the decision names it and how it was weighed.
        "objections": [
            {
                "household": "102",
                "text": "电梯井道遮挡一楼窗户采光",
                "settled_by": "mediation",
                "resolution": "经调解未达成一致。调解意见：井道外墙改用玻璃幕墙，"
                "采光影响在规范允许范围内，建议准予加装",
                "mediation_record": "MR2345ABCD",
            }
        ],
        "weighing": "经核查日照分析，加装后102室大寒日日照时数仍符合规范要求；"
        "井道采用玻璃幕墙已减轻对采光的影响，该异议不构成不予批准的理由",
    },
    "rejection_decision": {
        **_LETTER,
        "kind": "rejection_decision",
        "title": "不予批准决定书",
        "number": "枣阳住建梯驳〔2026〕2号",
        "opinions": [
            OPINIONS[0],
            {
                "department": "planning",
                "department_label": "枣阳市自然资源和规划局",
                "verdict": "disagree",
                "comment": "电梯井道占用消防车通道，且与北侧住宅间距不足6米",
            },
        ],
        "reasons": "电梯井道占用小区消防车通道，不符合消防安全要求。\n"
        "加装电梯后与北侧住宅的间距不足6米，影响相邻住宅的通风和采光",
    },
    "subsidy_notice": {
        **_LETTER,
        "kind": "subsidy_notice",
        "title": "财政补贴核定通知书",
        "number": "枣阳住建梯贴〔2026〕11号",
        "opinions": [],
        "amount_fen": 9_500_000,
        "actual_cost_fen": 43_215_678,
        "cap_fen": 10_000_000,
        "payee": "光武花园3号楼2单元101室业主张伟，中国工商银行枣阳支行 6222 0216 0500 1234 567",
        "reason": "部分工程量未通过竣工核验，相应费用不予补贴",
        "registration_number": "梯11鄂FA1234（26）",
    },
    "review_extension": {
        **_LETTER,
        "kind": "review_extension",
        "title": "延长审批期限告知书",
        "number": "枣阳住建梯延〔2026〕2号",
        "opinions": [],
        "days": 10,
        "reason": "需组织相邻建筑采光影响的专家论证",
        "previous_deadline": "2026-12-10",
        "review_deadline": "2026-12-24",
    },
    "not_accepted_decision": {
        **_LETTER,
        "kind": "not_accepted_decision",
        "title": "不予受理决定书",
        "number": "枣阳住建梯不受〔2026〕1号",
        "received_on": "2026-11-25",
        "opinions": [],
        "reasons": "该楼栋已列入棚户区改造征收范围，申请事项依法不属于本机关职权范围。\n"
        "请向枣阳市房屋征收部门咨询征收补偿安置事宜",
    },
    "subsidy_return_notice": {
        **_LETTER,
        "kind": "subsidy_return_notice",
        "title": "财政补贴申请退回通知书",
        "number": "枣阳住建梯退〔2026〕4号",
        "opinions": [],
        "reasons": "所附发票的开票单位与施工合同的施工单位不一致，请补充说明或者提供正确的发票",
    },
}

_ROOMS = [f"{floor}0{n}" for floor in range(1, 7) for n in (1, 2)]
_CHOICES = ["agree"] * 10 + ["object", None]
_COEFFICIENTS = {1: "0", 2: "0", 3: "0.7", 4: "0.8", 5: "0.9", 6: "1.0"}
_AREAS = [
    "85.20",
    "92.35",
    "85.20",
    "92.35",
    "85.20",
    "92.35",
    "85.20",
    "92.35",
    "85.20",
    "92.35",
    "85.20",
    "92.35",
]
# Shares of 420,000.00 − 100,000.00 yuan by floor coefficient × area (largest remainder).
_SHARES = [
    0,
    0,
    0,
    0,
    3_161_462,
    3_426_773,
    3_613_100,
    3_916_312,
    4_064_737,
    4_405_851,
    4_516_375,
    4_895_390,
]

HOUSEHOLDS = [
    {
        "room": room,
        "floor": int(room[0]),
        "area": _AREAS[i],
        "owner_name": OWNERS[i],
        "choice": _CHOICES[i],
        "signature_name": OWNERS[i] if _CHOICES[i] else "",
        "signed_at": f"2026-10-{10 + i:02d} 09:{10 + i:02d}" if _CHOICES[i] else "",
        "channel": ("paper" if i % 4 == 3 else "online") if _CHOICES[i] else "",
        "coefficient": _COEFFICIENTS[int(room[0])],
        "share_fen": _SHARES[i],
    }
    for i, room in enumerate(_ROOMS)
]


def notice_photo_png(width: int = 480, height: int = 320) -> bytes:
    """A stand-in photo of the posted notice: a white sheet with text lines on a wall (PNG)."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            on_sheet = 120 <= x < 360 and 30 <= y < 290
            on_line = on_sheet and 150 <= x < 330 and y % 18 in (0, 1, 2) and 60 <= y < 270
            if on_line:
                row += b"\x40\x40\x40"
            elif on_sheet:
                row += b"\xf5\xf5\xf0"
            else:
                row += b"\x9a\x8c\x78"
        rows.append(b"\x00" + bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


_DOCUMENT = {
    "case": CASE,
    "applicant": APPLICANT,
    "households": HOUSEHOLDS,
    "total_cost_fen": 42_000_000,
    "subsidy_fen": 10_000_000,
    "publicity": {"start": "2026-11-01", "end": "2026-11-14", "place": "3号楼2单元楼道口公告栏"},
    "objections": [
        {
            "household": "601",
            "text": "担心电梯运行噪音影响休息",
            "lodged_at": "2026-11-03 18:20",
            "resolution": "设计方案改用低噪音曳引机并加装隔音层，业主表示同意",
            "resolved_at": "2026-11-08 10:00",
        },
        {
            "household": "102",
            "text": "电梯井道遮挡一楼窗户采光",
            "lodged_at": "2026-11-05 08:45",
            "resolution": "井道外墙改为玻璃幕墙，经协商业主撤回异议",
            "resolved_at": "2026-11-10 15:30",
        },
    ],
    "generated_on": "2026-11-20",
    "quorum": QUORUM,
    "verify_code": "DQ2345ABCE",
    "verify_url": "http://127.0.0.1:5000/verify/DQ2345ABCE",
}

DOCUMENTS: dict[str, dict[str, Any]] = {
    kind: {**_DOCUMENT, "kind": kind, "title": title}
    for kind, title in (
        ("application_form", "既有住宅加装电梯申请表"),
        ("owners_agreement", "业主意见征询及费用分摊协议"),
        ("publicity_report", "公示情况说明"),
    )
}
DOCUMENTS["mediation_record"] = {
    **_DOCUMENT,
    "kind": "mediation_record",
    "title": "调解意见书",
    "verify_code": "MR2345ABCD",
    "verify_url": "http://127.0.0.1:5000/verify/MR2345ABCD",
    "mediation": {
        "id": 1,
        "objection": {"household": "102", "text": "电梯井道遮挡一楼窗户采光",
                      "lodged_at": "2026-11-05 08:45"},
        "referred_on": "2026-11-06",
        "sessions": [
            {"held_on": "2026-11-09", "place": "南城街道光武社区调解室",
             "attendees": ["102室业主", "申请人", "设计单位代表"],
             "notes": "设计单位提出井道外墙改用玻璃幕墙，102室业主仍不同意"},
        ],
        "agreed": False,
        "opinion": "井道外墙改用玻璃幕墙，采光影响在规范允许范围内，建议准予加装",
        "withdrawn": False,
        "mediator": "周调解",
        "street": "南城街道",
        "concluded_on": "2026-11-12",
    },
}  # fmt: skip


_OPINIONS = ("satisfied", "satisfied", "basically_satisfied", "dissatisfied", "satisfied")
_OPINION_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
DOCUMENTS["resident_acceptance"] = {
    **_DOCUMENT,
    "kind": "resident_acceptance",
    "title": "竣工居民验收意见表",
    "acceptance_round": 1,
    "households": [
        {
            "room": h["room"],
            "owner_name": h["owner_name"],
            "representative": i in (0, 2, 4),
            "opinion": _OPINIONS[i % 5],
            "opinion_label": _OPINION_LABELS[_OPINIONS[i % 5]],
            "reason": "电梯运行时有噪音" if _OPINIONS[i % 5] == "dissatisfied" else "",
            "answer": "已调整曳引机并加装减震垫" if _OPINIONS[i % 5] == "dissatisfied" else "",
            "given_at": f"2027-03-{10 + i % 9:02d} 10:{10 + i:02d}",
        }
        for i, h in enumerate(HOUSEHOLDS)
    ],
    "counts": {"满意": 7, "基本满意": 2, "不满意": 2},
    "not_given": 0,
    "supervisors": [
        {"room": HOUSEHOLDS[i]["room"], "owner_name": HOUSEHOLDS[i]["owner_name"],
         "accepted_at": "2026-12-20 09:30", "channel": "链接确认"}
        for i in (0, 2, 4)
    ],
    "problems": [
        {
            "room": HOUSEHOLDS[1]["room"],
            "text": "施工材料堆放堵塞楼道",
            "reported_at": "2027-01-05 08:40",
            "photos": 2,
            "answers": [
                {"kind": "answer", "text": "已清理并设置围挡", "at": "2027-01-05 16:00"},
                {"kind": "solved", "text": "", "at": "2027-01-06 09:00"},
            ],
            "closed_at": "2027-01-06 09:00",
        }
    ],
}  # fmt: skip


def letter(kind: str) -> dict[str, Any]:
    """A fresh copy of the example letter context of ``kind``."""
    return copy.deepcopy(LETTERS[kind])


def document(kind: str) -> dict[str, Any]:
    """A fresh copy of the example document context of ``kind`` (the publicity report with a
    photo of the posted notice)."""
    context = copy.deepcopy(DOCUMENTS[kind])
    if kind == "publicity_report":
        context["notice_photo"] = notice_photo_png()
    return context
