"""Persistence: the tables of the engine, SQLAlchemy 2 declarative.

Recorded facts (votes, objections, opinions, uploads) are rows; the case's position in the
process is `Case.state`, which only the machine in `workflow.machine` changes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # homeowner, clerk, approver, admin
    department: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Wrong passwords in a row: they slow further attempts (never lock the account out).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Every session carries the version it was opened under: raising it (logout, a new
    # password, an admin's "sign out") ends them all at once, on every worker.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A mediator (调解员) of one 街道 sees only that street's referrals; without one, all of them.
    street: Mapped[str | None] = mapped_column(String(32))
    # The 政务服务网 (OpenID Connect) subject an admin linked to a staff account: the only way
    # such an account logs in through the provider. Citizens are found by their verified mobile.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)

    @property
    def is_staff(self) -> bool:
        return self.role in ("clerk", "approver")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    community: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    building: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(32))
    floors: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))  # only the machine changes it
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    estimated_cost_fen: Mapped[int | None] = mapped_column(Integer)
    # Floor coefficients for cost sharing, {"3": "0.7", ...}; missing floors use the default.
    coefficients: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    consultation_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    publicity_start: Mapped[datetime | None] = mapped_column(DateTime)
    publicity_end: Mapped[datetime | None] = mapped_column(DateTime)
    publicity_place: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_due: Mapped[date | None] = mapped_column(Date)
    deadline_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    review_round: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    contractor: Mapped[str | None] = mapped_column(String(200))
    construction_start: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    actual_cost_fen: Mapped[int | None] = mapped_column(Integer)
    payee: Mapped[str | None] = mapped_column(String(200))
    subsidy_fen: Mapped[int | None] = mapped_column(Integer)
    subsidy_reason: Mapped[str | None] = mapped_column(Text)
    # The sub-district (街道) the building lies in: the public register and the queues filter
    # by it (through ix_cases_street_state_updated_at_id).
    street: Mapped[str | None] = mapped_column(String(32))
    # The review deadline may be extended once (行政许可法第四十二条), by these working days.
    review_extended_days: Mapped[int | None] = mapped_column(Integer)
    # The installer (特种设备安装单位) and the number of the elevator's use registration.
    installer_name: Mapped[str | None] = mapped_column(String(200))
    installer_credit_code: Mapped[str | None] = mapped_column(String(18))
    installer_licence: Mapped[str | None] = mapped_column(String(64))
    registration_number: Mapped[str | None] = mapped_column(String(64))
    # The day completion was reported with the use registration: the 公积金 window runs from it
    # (DESIGN §3.3a), the installers' record compares it with the planned end.
    registered_on: Mapped[date | None] = mapped_column(Date)
    # The finance bureau's payment of the approved subsidy (补贴拨付), as the clerk records it.
    subsidy_paid_on: Mapped[date | None] = mapped_column(Date)
    payment_voucher: Mapped[str | None] = mapped_column(String(64))
    # An agent (代办人) may file and drive the case for the unit: its kind (`AGENT_KINDS`), its
    # name, and the unit's authorisation it holds. The owners still vote themselves.
    agent_kind: Mapped[str | None] = mapped_column(String(16))
    agent_name: Mapped[str | None] = mapped_column(String(100))
    agent_document: Mapped[str | None] = mapped_column(String(64))  # sha256 of the authorisation
    # Who runs the elevator once built (使用管理单位, 特种设备安全法第三十二、三十三条), named in
    # the owners' agreement: {"kind", "name", "credit_code", "phone"}; and the yearly running
    # cost the households share as the agreement says.
    management_unit: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    running_cost_fen: Mapped[int | None] = mapped_column(Integer)
    # The agreement's own shares of the running cost, room → whole parts (份); None shares it
    # by the same ratios as the building cost (rules/running_cost.py). Signed with the votes.
    running_cost_shares: Mapped[dict[str, int] | None] = mapped_column(JSON)
    # Construction's planned end (an input of start_construction); the installers' record
    # compares it with `completed_at`, the day the clerk confirmed completion.
    planned_completion: Mapped[date | None] = mapped_column(Date)
    # The maintenance company (维保单位) and its contract, entered when completion is reported.
    maintenance_company: Mapped[str | None] = mapped_column(String(200))
    maintenance_credit_code: Mapped[str | None] = mapped_column(String(18))
    maintenance_starts_on: Mapped[date | None] = mapped_column(Date)
    maintenance_ends_on: Mapped[date | None] = mapped_column(Date)
    # The residents' acceptance (居民验收): each report of completion opens a new round; only
    # the opinions of the current round count, earlier ones stay as history.
    acceptance_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    applicant: Mapped[User] = relationship(lazy="joined")
    households: Mapped[list[Household]] = relationship(
        back_populates="case", order_by="Household.position", cascade="all, delete-orphan"
    )
    objections: Mapped[list[Objection]] = relationship(
        back_populates="case", order_by="Objection.id"
    )
    opinions: Mapped[list[Opinion]] = relationship(order_by="Opinion.id")
    documents: Mapped[list[Document]] = relationship(order_by="Document.id")
    letters: Mapped[list[Letter]] = relationship(order_by="Letter.id")
    corrections: Mapped[list[Correction]] = relationship(order_by="Correction.id")
    pauses: Mapped[list[ClockPause]] = relationship(order_by="ClockPause.id")
    supervisors: Mapped[list[Supervisor]] = relationship(order_by="Supervisor.id")
    problems: Mapped[list[Problem]] = relationship(order_by="Problem.id")
    acceptance_opinions: Mapped[list[AcceptanceOpinion]] = relationship(
        order_by="AcceptanceOpinion.id"
    )
    # The correction request still waiting and the clock pauses still running: what a
    # transition reads of those histories, which grow with every round of corrections. Read
    # only; rows a transition adds appear here from the next transition on.
    open_corrections: Mapped[list[Correction]] = relationship(
        primaryjoin="and_(Correction.case_id == Case.id, Correction.answered_at.is_(None))",
        order_by="Correction.id",
        viewonly=True,
    )
    open_pauses: Mapped[list[ClockPause]] = relationship(
        primaryjoin="and_(ClockPause.case_id == Case.id, ClockPause.resumed_at.is_(None))",
        order_by="ClockPause.id",
        viewonly=True,
    )

    # Two people firing triggers on one case at once: the second flush finds the version
    # moved and raises StaleDataError, which the services turn into a conflict (HTTP 409).
    __mapper_args__ = {"version_id_col": version}
    # The queues and the API list page by (updated_at, id), all cases or those in some states.
    __table_args__ = (
        Index("ix_cases_updated_at_id", "updated_at", "id"),
        Index("ix_cases_state_updated_at_id", "state", "updated_at", "id"),
        # Search by the start of a community's name (queries too short for trigrams); the
        # pattern operator class lets PostgreSQL use it for LIKE '翠湖%' in any collation.
        Index(
            "ix_cases_community", "community", postgresql_ops={"community": "varchar_pattern_ops"}
        ),
        # A queue filtered by community or by 街道 reads one range per state, in the list's
        # order, and counts from the index alone; the communities' filter lists each name by
        # one probe (PostgreSQL's pattern index above cannot order by `<`).
        Index("ix_cases_community_state_updated_at_id", "community", "state", "updated_at", "id"),
        Index("ix_cases_street_state_updated_at_id", "street", "state", "updated_at", "id"),
        # Counts by state, and the subsidies by state and community (the statistics), from
        # the index alone: reading 50,000 granted cases' rows took 200–400 ms on SQLite.
        Index("ix_cases_state_community_subsidy_fen", "state", "community", "subsidy_fen"),
        # The elevator register's "contracts ending within 30 days".
        Index("ix_cases_maintenance_ends_on", "maintenance_ends_on"),
    )


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("case_id", "room"),
        # Search by the start of an owner's name, e.g. a two-character name such as 王伟.
        Index(
            "ix_households_owner_name",
            "owner_name",
            postgresql_ops={"owner_name": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    room: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int] = mapped_column(Integer)
    area: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    owner_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    signing_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Owners prove who they are with the last four digits of the phone: wrong guesses are
    # counted and, past a few, the household's checks pause for a while.
    failed_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checks_paused_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Compensation this flat receives from the households that carry a share (低层补偿), fen;
    # entered with the estimate and seen by every signer before voting (DESIGN §3.3a).
    compensation_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Who owns the flat, to count one person once across flats (法释〔2009〕7号第九条): the ID
    # number where given (stored as given, shown masked), else name and phone together.
    id_number: Mapped[str | None] = mapped_column(String(32))
    # A clerk's ruling on who owns what: flats with the same group are one owner's; a group of
    # its own separates a flat that would otherwise be recognised as another flat's owner's.
    owner_group: Mapped[str | None] = mapped_column(String(32))
    # Not sold or not handed over: all such flats of the unit count as one owner together.
    developer_held: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Where one owner's flats voted differently: the flat whose vote the clerk recorded as
    # standing for the owner's headcount.
    vote_stands: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    case: Mapped[Case] = relationship(back_populates="households")
    vote: Mapped[Vote | None] = relationship(back_populates="household", uselist=False)


class Vote(Base):
    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One vote per household: the unique key makes a second signature fail even when two
    # arrive at the same moment.
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    choice: Mapped[str] = mapped_column(String(8))  # agree, object, abstain
    signature_name: Mapped[str] = mapped_column(String(64))
    signature_image: Mapped[str | None] = mapped_column(String(64))  # sha256 of a drawn PNG
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(8))  # online, paper
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    # Signed by a family member for the owner (委托): the relationship and the signed power of
    # attorney (授权委托书). `signature_name` is then the signer's own name.
    proxy_relationship: Mapped[str | None] = mapped_column(String(16))
    proxy_document: Mapped[str | None] = mapped_column(String(64))

    household: Mapped[Household] = relationship(back_populates="vote")

    @property
    def signed_as(self) -> str:
        """李小红（代李建国签署，附授权委托书）: who signed for whom, as the form prints it."""
        if not self.proxy_relationship:
            return self.signature_name
        return f"{self.signature_name}（代{self.household.owner_name}签署，附授权委托书）"


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(8))
    lodged_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How it was settled: "withdrawal" (the objector withdrew) or "mediation" (a mediation
    # ended without agreement); a clerk alone never settles one.
    settled_by: Mapped[str | None] = mapped_column(String(16))

    case: Mapped[Case] = relationship(back_populates="objections")
    household: Mapped[Household | None] = relationship()
    mediations: Mapped[list[Mediation]] = relationship(
        back_populates="objection", order_by="Mediation.id"
    )


class Mediation(Base):
    """An objection referred to the community's or 街道's mediator (调解), its sessions and its
    outcome; each outcome issues the 调解意见书 (document kind `mediation_record`)."""

    __tablename__ = "mediations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True)
    street: Mapped[str | None] = mapped_column(String(32), index=True)
    referred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(DateTime)
    # The outcome: agreed (the objector withdrew) or not (the mediator's 调解意见).
    agreed: Mapped[bool | None] = mapped_column(Boolean)
    opinion: Mapped[str | None] = mapped_column(Text)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawal_scan: Mapped[str | None] = mapped_column(String(64))  # sha256 of a signed paper
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))

    objection: Mapped[Objection] = relationship(back_populates="mediations")
    case: Mapped[Case] = relationship()
    sessions: Mapped[list[MediationSession]] = relationship(order_by="MediationSession.id")
    mediator: Mapped[User | None] = relationship(foreign_keys=[mediator_id])


class MediationSession(Base):
    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(ForeignKey("mediations.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Rating(Base):
    """好差评 (国办发〔2019〕51号): the applicant's rating of one act that concluded a step, once
    per act and person. A bad one (level ≤ 2) opens a rectification for the desk that acted,
    due in working days; the desk answers, and the rater may rate the answer (回访)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("case_id", "act", "rater_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    act: Mapped[int] = mapped_column(Integer)  # the act's seq in the case's audit chain
    trigger: Mapped[str] = mapped_column(String(32))
    desk: Mapped[str] = mapped_column(String(32), index=True)  # window, or a department
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[int] = mapped_column(Integer)  # 5 非常满意 … 1 非常不满意
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    rectify_due: Mapped[date | None] = mapped_column(Date)
    rectification: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime)
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    followup_level: Mapped[int | None] = mapped_column(Integer)
    followup_comment: Mapped[str | None] = mapped_column(Text)
    followup_at: Mapped[datetime | None] = mapped_column(DateTime)


class Opinion(Base):
    __tablename__ = "opinions"
    __table_args__ = (UniqueConstraint("case_id", "review_round", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    review_round: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(8))  # agree, disagree
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class StoredFile(Base):
    """A file's bytes live under the instance folder, named by their SHA-256."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Document(Base):
    """One version of one document of a case; the newest of each kind is the current one."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # generated, uploaded
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="application/pdf")
    # For generated documents: the facts they were generated from, frozen at submission.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # A generated document carries a verification code and QR code, as letters do.
    verify_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # A document of one household (出资证明) and its number; a newer one of the same kind and
    # household replaces it, and the old code verifies as replaced.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    number: Mapped[str | None] = mapped_column(String(64))


class Correction(Base):
    """A request for correction: every item at once (一次性告知)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # [{"document": kind or None, "text": "..."}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    from_state: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)


class Supervisor(Base):
    """A household of the unit named as residents' representative (居民监督代表): proposed by
    the applicant, accepted through the household's own link or on paper at the window, and
    perhaps stepping down later (who and why stay on the row and in the audit log)."""

    __tablename__ = "supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_channel: Mapped[str | None] = mapped_column(String(8))  # link, paper
    accepted_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stepped_down_at: Mapped[datetime | None] = mapped_column(DateTime)
    stepped_down_reason: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.stepped_down_at is None


class Problem(Base):
    """A problem a household reports during construction, with its photos (SHA-256 of the
    stored files), open until the reporter or a representative closes it as solved."""

    __tablename__ = "resident_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    text: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(foreign_keys=[household_id], lazy="joined")
    replies: Mapped[list[ProblemReply]] = relationship(order_by="ProblemReply.id", lazy="selectin")


class ProblemReply(Base):
    """What follows a problem: the applicant's answer (`answer`), or a resident keeping it open
    with a reason (`kept_open`) or closing it as solved (`solved`)."""

    __tablename__ = "problem_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("resident_problems.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # answer, kept_open, solved
    text: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    at: Mapped[datetime] = mapped_column(DateTime)


class AcceptanceOpinion(Base):
    """A household's opinion in one round of the residents' acceptance; it may change its
    opinion until completion is confirmed. A 不满意 waits on the applicant's answer."""

    __tablename__ = "acceptance_opinions"
    __table_args__ = (UniqueConstraint("case_id", "acceptance_round", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    acceptance_round: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    opinion: Mapped[str] = mapped_column(String(24))  # satisfied, basically_satisfied, dissatisfied
    reason: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    household: Mapped[Household] = relationship(lazy="joined")


class ClockPause(Base):
    """A legal clock stopped while the case waits on the applicant (补正), and how many working
    days it had left; it resumes with those days instead of restarting (行政许可法第四十五条)."""

    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    clock: Mapped[str] = mapped_column(String(16))  # acceptance, review
    paused_at: Mapped[datetime] = mapped_column(DateTime)
    due_when_paused: Mapped[date] = mapped_column(Date)
    workdays_left: Mapped[int] = mapped_column(Integer)
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_when_resumed: Mapped[date | None] = mapped_column(Date)


class DeadlineFlag(Base):
    """A case found due within two working days or overdue, on one day: the daily check's
    record of who must act, which a notifier delivers. One row per case and day."""

    __tablename__ = "deadline_flags"
    __table_args__ = (UniqueConstraint("case_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # due_soon, overdue
    state: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    workdays_left: Mapped[int] = mapped_column(Integer)
    # Who must act: roles and, for the review, the departments whose opinion is missing.
    who: Mapped[list[str]] = mapped_column(JSON, default=list)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)


class LetterCounter(Base):
    """The last document number given per letter kind and year: numbers have no gaps."""

    __tablename__ = "letter_counters"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("kind", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    addressee: Mapped[str] = mapped_column(String(400))
    # The letter's full context as rendered: rendering never needs the case again.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    trigger: Mapped[str] = mapped_column(String(32))


class Event(Base):
    """The append-only audit log, one SHA-256 chain per case (and one for the system)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_events_case_id_seq", "case_id", "seq"),
        # The statistics count applications and approvals per month, and the stays in each
        # phase from the moves in and out of it: both read this index alone.
        Index("ix_events_kind_at", "kind", "at", "from_state", "to_state"),
        # A case's latest move into its state (when its current stay began) in one probe;
        # moves only, not the votes and other facts that make most of the log.
        Index(
            "ix_events_case_moves",
            "case_id",
            "to_state",
            "seq",
            "at",
            postgresql_where=text("to_state IS NOT NULL"),
            sqlite_where=text("to_state IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    actor_role: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(32))  # a trigger, or a fact such as "vote"
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class StatisticsCheckpoint(Base):
    """The statistics' tallies of the audit log up to a point (`workflow.read.statistics`):
    the moves per kind, state and day, for the events up to `up_to_event` that happened
    before `before`. The log is append-only, so these never change; a cold statistics page
    reads them and tallies only the events since."""

    __tablename__ = "statistics_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    up_to_event: Mapped[int] = mapped_column(Integer)
    before: Mapped[datetime] = mapped_column(DateTime)
    tallies: Mapped[list[Any]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(DateTime)


class Setting(Base):
    """An admin's change to a setting; absent keys keep their configured default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Holiday(Base):
    """Admin-entered calendar days, for years `chinese_calendar` does not cover."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(64), default="")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class OutboxMessage(Base):
    """A message telling someone a case waits on them, written in the transaction of the change
    that hands it over; a job delivers it by SMS (`workflow.notifications`). The inbox pages list
    the same rows, so a message whose SMS failed is still read there."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # Who reads it in an inbox: a user (the applicant), or a desk ("clerk", "approver").
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    desk: Mapped[str | None] = mapped_column(String(16), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    kind: Mapped[str] = mapped_column(String(32))  # a trigger, signing_link, deadline, reminder
    text: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # SMS delivery: none (inbox only), pending, sending, sent, failed (after the last retry).
    status: Mapped[str] = mapped_column(String(16), default="none")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # A message that must exist once (a deadline flag of one day) carries a key.
    dedupe_key: Mapped[str | None] = mapped_column(String(100))


class BatchPrint(Base):
    """One clerk's request to print chosen letters as one PDF, made by a job outside the request
    (`workflow.batches`). Only the one who asked sees it; its file is stored by SHA-256 like a
    letter's, once."""

    __tablename__ = "batch_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The letters in the order they are to be printed.
    letter_ids: Mapped[list[int]] = mapped_column(JSON)
    # queued, running, done, failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int] = mapped_column(Integer)
    # Starts of the job so far: a batch that keeps killing its worker is given up.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Moved on every step of the job: a running batch not heard of for long was cut off.
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class CaseHandler(Base):
    """The one named person of a desk (the window, or a department) who has a case while it
    waits on that desk; taken by them or assigned by the desk's lead (DESIGN §7, issue 30)."""

    __tablename__ = "case_handlers"
    __table_args__ = (
        UniqueConstraint("case_id", "desk"),
        # "Mine" in a queue asks, case by case, whether one of these people has it: answered
        # from the index alone (counting a queue of 14,000 cases took 23 ms on SQLite, now 6).
        Index("ix_case_handlers_case_id_user_id", "case_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    desk: Mapped[str] = mapped_column(String(32))  # "window", or a department's code
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class SavedView(Base):
    """A queue's filter kept under a name by the person who made it, opened in one tap."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str] = mapped_column(String(32))  # which queue: window, review
    query: Mapped[str] = mapped_column(String(500))  # the filter as a URL query string


class Absence(Base):
    """A staff member away from `starts_on` to `ends_on` (inclusive), their cases shown under
    and acted on by `stand_in` (same desk and role; nobody stands in for a stand-in)."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    stand_in_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    stand_in: Mapped[User] = relationship(foreign_keys=[stand_in_id], lazy="joined")


class PrivacyNotice(Base):
    """One version of the 个人信息处理规则 (个人信息保护法第十七条): the admin publishes a new
    version instead of changing an old one, so what each person was shown stays readable."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class NoticeSeen(Base):
    """The version of the notice a person was shown when they acted (registration, vote,
    upload): the account, or the household of a signing link."""

    __tablename__ = "notice_seen"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # register, vote, upload
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(DateTime)


class PrivacyRequest(Base):
    """A person's request to correct or delete their data (个人信息保护法第四十六、四十七条),
    answered in writing by the clerk within `PRIVACY_REQUEST_WORKDAYS`; a refusal names its
    legal reason."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # correct, delete
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(DateTime)
    due: Mapped[date] = mapped_column(Date)
    # open, done, refused
    state: Mapped[str] = mapped_column(String(8), default="open", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    legal_reason: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Elevator(Base):
    """A completed case's elevator on the register: its yearly periodic inspection falls due one
    year after the use registration, then one year after each recorded inspection (TSG T7001)."""

    __tablename__ = "elevators"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(64))
    registered_on: Mapped[date] = mapped_column(Date)
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    next_inspection_due: Mapped[date] = mapped_column(Date, index=True)
    # The 使用管理单位's own link (sent by SMS) to record an inspection without an account.
    link_token: Mapped[str] = mapped_column(String(64), unique=True)

    case: Mapped[Case] = relationship(lazy="joined")


class Inspection(Base):
    """One yearly periodic inspection of an elevator, with its report."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("elevators.case_id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(8))  # 合格, 不合格
    report_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(8))  # clerk, link


class InstallerBar(Base):
    """An installer on the city's list of those barred from new work (黑名单), from `barred_on`
    until `until` or until lifted. Rows are kept: the history of bars."""

    __tablename__ = "installer_bars"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str] = mapped_column(String(64))
    barred_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    barred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
