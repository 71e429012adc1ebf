"""The 调解意见书, and the approval decision that names a mediated objection."""

from web.pdf import samples
from web.pdf.render import document_html, letter_html, render_document


def test_the_approval_sample_names_the_objection_and_how_it_was_weighed():
    html = letter_html(samples.letter("approval_decision"))
    assert "异议及处理情况" in html and "电梯井道遮挡一楼窗户采光" in html
    assert "经调解未达成一致" in html and "MR2345ABCD" in html
    assert "本机关对异议的审查意见" in html and "不构成不予批准的理由" in html


def test_a_decision_without_objections_says_none_were_left():
    context = samples.letter("approval_decision")
    context.pop("objections"), context.pop("weighing")
    html = letter_html(context)
    assert "异议及处理情况" not in html and "无未处理的异议" in html


def test_the_mediation_record_shows_the_objection_sessions_and_opinion():
    html = document_html(samples.document("mediation_record"))
    for text in ("调解意见书", "电梯井道遮挡一楼窗户采光", "南城街道光武社区调解室",
                 "102室业主、申请人、设计单位代表", "未达成一致", "周调解", "MR2345ABCD"):  # fmt: skip
        assert text in html


def test_the_mediation_record_renders_as_pdf():
    assert render_document(samples.document("mediation_record")).startswith(b"%PDF-")
