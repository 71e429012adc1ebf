"""The states of a case, with their labels, tags and places on the stepper (DESIGN §2).

A leaf: it imports nothing of ours, so the clocks, the outbox and the statistics can read the
states without loading the machine. The triggers between them are declared in `machine`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    name: str
    label: str
    label_en: str
    # Groups of states are tags here, never constants elsewhere:
    #   final      – nothing more happens
    #   editable   – the applicant may still change the building and roster
    #   voting     – signing links work, paper votes may be recorded
    #   objections – owners may lodge objections
    #   window     – waiting on the clerk at the window
    #   review     – waiting on the approvers
    #   opinions   – the departments give their opinions (joint review)
    #   applicant  – waiting on the applicant
    #   installer  – the installer is named and notifies 市场监管 before work starts
    #   building   – the elevator is being built (completion papers are uploaded)
    #   subsidy    – built and accepted: the subsidy may be applied for (invoice)
    #   timed      – a phase whose length in working days the statistics report
    #   granted    – the subsidy is approved: its amount is fixed (出资证明 issued)
    #   supervision – the unit's residents' representatives (居民监督代表) may be named and accept
    #   problems   – households report problems with the work through their links
    #   resident_acceptance – households give their opinion of the finished work (居民验收)
    tags: frozenset[str] = frozenset()
    step: int = 0  # position on the progress stepper; side states share a main step
    deadline: str | None = None  # the Case attribute holding this state's deadline
    hint: str = ""  # what the applicant does next, in plain words
    hint_en: str = ""


def tags(*names: str) -> frozenset[str]:
    return frozenset(names)


# fmt: off
STATES: tuple[State, ...] = (
    State("draft", "草拟", "Draft", tags("editable", "applicant"), 1,
          hint="填写楼栋和住户名单，然后发起意见征询。",
          hint_en="Fill in the building and households, then start the consultation."),
    State("consultation", "意见征询", "Consultation", tags("voting", "objections", "applicant", "window"), 2,
          hint="把签字链接发给各户业主；达到法定比例后结束征询、开始公示。",
          hint_en="Send each household its signing link; once the quorum is met, start the notice."),
    State("publicity", "公示中", "Public notice", tags("objections", "applicant"), 3,
          hint="在楼道张贴公示并上传照片和设计方案；公示期满且异议处理完毕后提交申请。",
          hint_en="Post the notice, upload its photo and the design plan; submit when the period is over."),
    State("submitted", "待受理", "Awaiting acceptance", tags("window", "timed"), 4, deadline="acceptance_due",
          hint="申请已提交，等待窗口受理。", hint_en="Submitted; waiting for the window to accept it."),
    State("correction", "补正中", "Correction", tags("applicant", "timed"), 4,
          hint="按补正通知补齐材料后重新提交。",
          hint_en="Supply what the correction notice lists, then resubmit."),
    State("not_accepted", "不予受理", "Not accepted", tags("final"), 4,
          hint="申请不予受理，理由见不予受理决定书；可依法申请行政复议或提起行政诉讼。",
          hint_en="Not accepted (see the decision for the reasons); reconsideration or a lawsuit is open to you."),
    State("review", "联合审查", "Joint review", tags("review", "opinions", "timed"), 5, deadline="review_due",
          hint="各部门联合审查中，请等待结果。", hint_en="Under joint review by the departments."),
    State("approved", "已批准", "Approved", tags("applicant", "installer", "supervision"), 6,
          hint="已批准：确定有资质的电梯安装单位，上传特种设备安装告知回执，指定居民监督代表并经其接受后报告开工。",
          hint_en="Approved: name the licensed installer, upload the installation notice receipt, "
                  "name the residents' representatives (they accept), then report the start of construction."),
    State("rejected", "不予批准", "Rejected", tags("final"), 6,
          hint="申请未获批准，可依法申请行政复议或提起行政诉讼。",
          hint_en="Not approved; administrative reconsideration or a lawsuit is open to you."),
    State("construction", "施工中", "Under construction",
          tags("applicant", "building", "supervision", "problems"), 7,
          hint="监督检验合格后上传检验报告和特种设备使用登记证，报告竣工。",
          hint_en="After the inspection, upload its report and the use registration, then report completion."),
    State("acceptance", "待竣工核验", "Awaiting completion check",
          tags("window", "timed", "supervision", "problems", "resident_acceptance"), 8,
          hint="等待居民验收和窗口核验竣工材料；请及时答复居民反映的问题和不满意意见。",
          hint_en="The residents give their acceptance and the window checks the completion papers; "
                  "answer the residents' problems and any dissatisfaction."),
    State("completed", "已竣工", "Completed", tags("applicant", "subsidy"), 9,
          hint="已竣工，可申请财政补贴。", hint_en="Completed: you may apply for the subsidy."),
    State("subsidy_review", "补贴审核", "Subsidy review", tags("review", "timed"), 10,
          hint="补贴申请审核中。", hint_en="The subsidy application is under review."),
    State("subsidy_approved", "补贴已核准", "Subsidy approved", tags("window", "granted", "timed"), 11,
          hint="补贴已核准，等待财政部门拨付；各户可下载出资证明。",
          hint_en="Subsidy approved: waiting for the payment; each household may download its "
                  "funding certificate."),
    State("subsidy_paid", "补贴已拨付", "Subsidy paid", tags("final", "granted"), 12,
          hint="补贴已拨付，办理完毕。", hint_en="Subsidy paid: the case is complete."),
    State("withdrawn", "已撤回", "Withdrawn", tags("final"), 0,
          hint="申请已撤回。", hint_en="The application was withdrawn."),
)
# fmt: on

STATE = {s.name: s for s in STATES}
INITIAL = "draft"


def states_tagged(tag: str) -> tuple[str, ...]:
    return tuple(s.name for s in STATES if tag in s.tags)


def main_path() -> tuple[State, ...]:
    """The stepper: one state per step, the happy path's."""
    first: dict[int, State] = {}
    for s in STATES:
        if s.step:
            first.setdefault(s.step, s)  # the side states (correction, rejected) come later
    return tuple(first[k] for k in sorted(first))
