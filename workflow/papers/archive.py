"""A closed case as an archive package (城建档案; 电子文件归档, GB/T 18894): one ZIP holding every
letter and document as stored, the uploads, the case's audit log as JSON and as a readable PDF,
and a manifest that says what the package holds and proves it complete and untouched.

The manifest (`manifest.json`) gives the case's metadata (reference, parties, dates, decision,
numbers) and, for each file, its name in the package, its kind, size and SHA-256. The audit log
(`audit/events.json`) carries every event with the fields its hash is made of, so the chain can
be checked again without the database. `verify` needs nothing but the ZIP.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..data.audit import GENESIS, canonical_digest

FORMAT = "jiati-archive/1"
MANIFEST = "manifest.json"
EVENTS = "audit/events.json"


@dataclass(frozen=True)
class Entry:
    """One file of the package: where it goes, what it is, and its bytes."""

    name: str
    kind: str  # letter, document, upload, audit
    data: bytes
    title: str = ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(out: BinaryIO, metadata: dict[str, Any], entries: Iterable[Entry]) -> dict[str, Any]:
    """Write the package; returns its manifest. Entries keep their order; names are unique."""
    files, seen = [], set()
    # Stored files are already compressed (PDF, JPEG): kept as they are, with fixed times, so one
    # case exported twice gives the same bytes.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for e in entries:
            if e.name in seen or e.name == MANIFEST:
                raise ValueError(f"two files named {e.name} in one package")
            seen.add(e.name)
            _put(z, e.name, e.data)
            files.append(
                {"name": e.name, "kind": e.kind, "title": e.title, "size": len(e.data),
                 "sha256": sha256(e.data)}
            )  # fmt: skip
        manifest = {"format": FORMAT, "case": metadata, "files": files}
        _put(z, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return manifest


def _put(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def events_file(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events, ensure_ascii=False, indent=1).encode()


def verify(path: str | Path | BinaryIO) -> list[str]:
    """Every way the package differs from what its manifest and its audit chain promise, in
    Chinese; an empty list is a package complete and untouched."""
    problems: list[str] = []
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"不是有效的 ZIP 文件：{exc}"]
    with z:
        names = set(z.namelist())
        if MANIFEST not in names:
            return ["缺少清单文件 manifest.json。"]
        try:
            manifest = json.loads(z.read(MANIFEST))
            listed = {f["name"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            return [f"清单文件无法读取：{exc}"]
        if manifest.get("format") != FORMAT:
            problems.append(f"清单格式不是 {FORMAT}。")
        for name, f in listed.items():
            if name not in names:
                problems.append(f"缺少文件：{name}")
                continue
            try:
                data = z.read(name)
            except (zipfile.BadZipFile, OSError) as exc:  # a damaged member fails its CRC
                problems.append(f"文件已损坏：{name}（{exc}）")
                continue
            if len(data) != f.get("size") or sha256(data) != f.get("sha256"):
                problems.append(f"文件与清单不符（被改动）：{name}")
        for name in sorted(names - set(listed) - {MANIFEST}):
            problems.append(f"清单之外多出文件：{name}")
        if EVENTS in listed and EVENTS in names:
            problems.extend(_chain_problems(z.read(EVENTS)))
        elif EVENTS not in listed:
            problems.append(f"清单中没有审计日志 {EVENTS}。")
    return problems


def _chain_problems(raw: bytes) -> list[str]:
    try:
        events = json.loads(raw)
    except ValueError as exc:
        return [f"审计日志无法读取：{exc}"]
    prev, expected = GENESIS, 1
    for e in events:
        seq = e.get("seq")
        if seq != expected:
            return [f"审计日志序号不连续：第 {expected} 条处为 {seq}。"]
        if e.get("prev") != prev:
            return [f"审计日志第 {seq} 条与上一条的链接不符（上一条被改动或删除）。"]
        body = {k: e.get(k) for k in e if k != "hash"}
        if canonical_digest(body) != e.get("hash"):
            return [f"审计日志第 {seq} 条的内容与其哈希不符（被改动）。"]
        prev, expected = e["hash"], seq + 1
    return []


def read_manifest(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return json.loads(z.read(MANIFEST))
