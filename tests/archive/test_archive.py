"""A closed case as an archive package: exported with every letter, document and upload as
stored, the audit log and a manifest; `archive verify` finds a changed byte, a missing file and a
rewritten audit line."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from workflow.data.models import Case
from workflow.papers import archive

from ..conftest import make_app
from ..journey import Journey, make_people


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from ..journey import Clock

    tmp = tmp_path_factory.mktemp("archive")
    app = make_app(tmp, Clock(), RENDER_PDF=True)
    rt = app.extensions["jiati"]
    people = make_people(rt)
    case_id = Journey(rt, people).case_in("subsidy_paid")
    with rt.db.session() as s:
        ref = s.get(Case, case_id).reference
    package = tmp / f"{ref}.zip"
    result = app.test_cli_runner().invoke(
        args=["archive", "export", "--case", ref, "-o", str(package)]
    )
    assert result.exit_code == 0, result.output
    app.journey = Journey(rt, people)
    yield app, ref, package.read_bytes(), tmp
    rt.db.dispose()


def _rewrite(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                body = change(body)
                if body is None:
                    continue
            dst.writestr(info, body)
    return out.getvalue()


def _verify(app, tmp, data: bytes):
    path = tmp / "checked.zip"
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["archive", "verify", str(path)])


def test_the_package_holds_every_letter_document_and_the_audit_log(exported):
    _, ref, data, _ = exported
    manifest = archive.read_manifest(data)
    kinds = [f["kind"] for f in manifest["files"]]
    assert manifest["case"]["reference"] == ref
    assert manifest["case"]["state"] == "subsidy_paid"
    assert {"letter", "document", "audit"} <= set(kinds)
    numbers = [x["number"] for x in manifest["case"]["letters"]]
    assert len(numbers) == kinds.count("letter") >= 3  # 受理, 准予, 补贴核定
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for f in manifest["files"]:
            assert z.read(f["name"])[:4] in (b"%PDF", b"[\n {", b"\x89PNG") or f["name"].endswith(
                ".jpg"
            )
        events = json.loads(z.read("audit/events.json"))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert any(e["to"] == "subsidy_paid" for e in events)


def test_an_untouched_package_verifies(exported):
    app, _, data, tmp = exported
    result = _verify(app, tmp, data)
    assert result.exit_code == 0 and "完整、未被改动" in result.output


def test_a_changed_byte_fails_verify(exported):
    app, _, data, tmp = exported
    letter = next(f["name"] for f in archive.read_manifest(data)["files"] if f["kind"] == "letter")
    changed = _rewrite(data, letter, lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:])
    result = _verify(app, tmp, changed)
    assert result.exit_code != 0 and f"被改动）：{letter}" in result.output


def test_a_missing_file_fails_verify(exported):
    app, _, data, tmp = exported
    doc = next(f["name"] for f in archive.read_manifest(data)["files"] if f["kind"] == "document")
    result = _verify(app, tmp, _rewrite(data, doc, lambda b: None))
    assert result.exit_code != 0 and f"缺少文件：{doc}" in result.output


def test_a_rewritten_audit_line_fails_verify_even_with_a_matching_manifest(exported):
    """Whoever rewrites an event and fixes the manifest's checksum still breaks the chain."""
    app, _, data, tmp = exported

    def forge(body: bytes) -> bytes:
        events = json.loads(body)
        events[1]["actor_name"] = "某某"
        return archive.events_file(events)

    forged = _rewrite(data, archive.EVENTS, forge)
    manifest = archive.read_manifest(forged)
    with zipfile.ZipFile(io.BytesIO(forged)) as z:
        new = z.read(archive.EVENTS)
    for f in manifest["files"]:
        if f["name"] == archive.EVENTS:
            f.update(size=len(new), sha256=archive.sha256(new))
    forged = _rewrite(forged, archive.MANIFEST, lambda b: json.dumps(manifest).encode())
    result = _verify(app, tmp, forged)
    assert result.exit_code != 0 and "第 2 条的内容与其哈希不符" in result.output


def test_an_open_case_is_not_archived(exported):
    app, _, _, tmp = exported
    rt = app.extensions["jiati"]
    with rt.db.session() as s:
        open_ref = s.get(Case, app.journey.case_in("review")).reference
    result = app.test_cli_runner().invoke(
        args=["archive", "export", "--case", open_ref, "-o", str(tmp / "open.zip")]
    )
    assert result.exit_code != 0 and "尚未办结" in result.output
    assert not (tmp / "open.zip").exists()


def test_a_years_closed_cases_each_get_a_package(exported):
    app, ref, _, tmp = exported
    year = int(archive.read_manifest(exported[2])["case"]["closed_on"][:4])
    result = app.test_cli_runner().invoke(
        args=["archive", "export", "--year", str(year), "-o", str(tmp / "year")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp / "year" / f"{ref}.zip").exists()
    assert "1 个归档包已写入" in result.output


def test_a_closed_case_page_offers_its_package_to_staff(client, app_people, app_journey, tmp_path):
    """The button on the closed case: the same package `archive export` writes, which verifies."""
    from workflow import services
    from workflow.papers import archive as archive_format

    from ..conftest import login

    case_id = app_journey.case_in("consultation")
    open_id = app_journey.case_in("draft")
    services.fire(app_journey.rt, app_people.owner.id, case_id, "withdraw")
    login(client, app_people.clerk.username)
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f"/staff/cases/{case_id}/archive/download" in page
    # The package holds signatures and powers of attorney: a reason first, once per case.
    client.post(f"/staff/cases/{case_id}/reveal?then=archive", data={"archive-reason": "移交档案"})
    r = client.get(f"/staff/cases/{case_id}/archive/download")
    assert r.mimetype == "application/zip"
    package = tmp_path / "case.zip"
    package.write_bytes(r.data)
    assert archive_format.verify(str(package)) == []
    assert "/archive/download" not in client.get(f"/staff/cases/{open_id}").get_data(as_text=True)
