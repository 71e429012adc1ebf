"""The 个人信息处理规则 (个人信息保护法第十七条) in its versions, and which version each person
was shown when they acted.

Until an admin publishes one, the notice is version 1, written from the settings (who
processes, what, why, how long, the rights and whom to contact); each version the admin
publishes is kept, never changed.

Staff views of unmasked personal data (a full phone number, a problem's photos, the archive
package with its signatures and powers of attorney) are recorded in the case's audit chain:
who, when, which case, why (第五十一条: access controls and their record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit
from .models import Case, Household, NoticeSeen, PrivacyNotice, User
from .settings import Settings

ACTIONS = {"register": "注册账户", "vote": "表决签字", "upload": "上传材料"}
VIEWED = "personal_data_viewed"
VIEWED_FIELDS = {
    "phone": "完整手机号",
    "problem_photo": "问题照片",
    "archive_package": "归档包（含签名、授权委托书等材料）",
}


@dataclass(frozen=True)
class Notice:
    version: int
    text: str
    published_at: datetime | None  # None: the default, written from the settings

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


def default_text(settings: Settings) -> str:
    """The notice as the law lists its contents, with the deployment's names and periods."""
    contact = "，".join(
        x
        for x in (
            settings.authority_name,
            f"地址：{settings.authority_address}" if settings.authority_address else "",
            f"电话：{settings.authority_phone}" if settings.authority_phone else "",
        )
        if x
    )
    return "\n\n".join(
        (
            f"一、个人信息处理者：{settings.authority_name}（本网站主办单位），"
            "依《中华人民共和国个人信息保护法》处理本网站收集的个人信息。",
            "二、处理的个人信息：申请人的姓名、手机号；单元各户的房号、楼层、专有面积、业主姓名、"
            "手机号，以及各户的表决意见、签名、异议；申请人上传的材料。"
            "敏感个人信息：身份证件号码、手写签名图片、授权委托书（可能附身份证件复印件）、"
            "含人像的照片，仅在办理流程需要之处收集，并在收集处单独告知。",
            "三、处理目的和依据：办理既有住宅加装电梯的意见征询、公示、受理、审批、竣工验收和"
            "财政补贴（个人信息保护法第十三条第一款第三项、第五项：履行法定职责、"
            "依法在合理范围内处理）。不用于其他目的，不向无关方提供。",
            f"四、保存期限：案件办结（撤回、不予受理、不予批准或补贴发放完毕）后，签字链接立即失效；"
            f"非申请人住户的手机号、短信内容、身份证件号码在 {settings.retention_days} 日后删除"
            "或去标识化，授权委托书和代办授权书（可能附身份证件复印件）同期删除；"
            "文书和申请材料作为行政许可档案依法保存。",
            "五、您的权利：您可以在“我的信息”页面查阅、下载本网站保存的与您有关的全部信息，"
            "并可申请更正或删除；窗口在 "
            f"{settings.privacy_request_workdays} 个工作日内书面答复。法律、行政法规规定应当保存"
            "的记录（个人信息保护法第四十七条），不予删除，答复时说明法律依据。",
            f"六、联系方式：{contact}。",
        )
    )


_LATEST = select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1)


def current_notice(session: Session, settings: Settings) -> Notice:
    row = session.scalar(_LATEST)
    if row is None:
        return Notice(1, default_text(settings), None)
    return Notice(row.version, row.text, row.published_at)


def notice_version(session: Session, settings: Settings, version: int) -> Notice | None:
    if version == 1:
        return Notice(1, default_text(settings), None)
    row = session.scalar(select(PrivacyNotice).where(PrivacyNotice.version == version))
    return Notice(row.version, row.text, row.published_at) if row else None


def versions(session: Session) -> list[PrivacyNotice]:
    return list(session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


def publish(session: Session, text: str, user: User | None, now: datetime) -> int:
    """A new version; the one before stays as it was. The first published is version 2: version
    1 is the default every person saw until then."""
    last = session.scalar(select(func.max(PrivacyNotice.version))) or 1
    row = PrivacyNotice(
        version=last + 1, text=text, published_at=now, published_by_id=user.id if user else None
    )
    session.add(row)
    session.flush()
    return row.version


def record_seen(
    session: Session,
    settings: Settings,
    action: str,
    at: datetime,
    *,
    user: User | None = None,
    household: Household | None = None,
    case_id: int | None = None,
) -> int:
    """Record that the person acting now was shown the current version; returns it."""
    version = current_notice(session, settings).version
    session.add(
        NoticeSeen(
            version=version,
            action=action,
            user_id=user.id if user else None,
            household_id=household.id if household else None,
            case_id=case_id if case_id is not None else (household.case_id if household else None),
            at=at,
        )
    )
    return version


def record_view(
    session: Session,
    user: User,
    case: Case,
    fields: list[str],
    reason: str,
    at: datetime,
    **detail: Any,
) -> None:
    """A staff member is about to see unmasked personal data of this case: who (the actor),
    when, which case, what and why go into the case's audit chain before anything is shown."""
    audit.append(
        session,
        kind=VIEWED,
        at=at,
        actor=user,
        role=user.role,
        case=case,
        payload={"fields": fields, "reason": reason[:200], **detail},
    )
