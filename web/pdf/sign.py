"""The authority's electronic signature on letters: PAdES with pyHanko, when a certificate is
configured (`SIGNING_P12`, `SIGNING_P12_PASSWORD`), and its check for the verification page.

The seal's place on paper stays (GB/T 9704 7.3.5.1); the PDF signature is what a reader's PDF
software, and /verify, can check: who signed, and that not a byte changed since.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SignatureReport:
    signer: str  # the certificate's subject, e.g. "Common Name: 枣阳市住房和城乡建设局"
    intact: bool  # the signed bytes are unchanged
    whole_file: bool  # nothing was added after signing
    trusted: bool  # the certificate chains to the configured authority certificate
    signed_at: str

    @property
    def valid(self) -> bool:
        return self.intact and self.whole_file and self.trusted


class Signer:
    """Signs PDFs with the authority's PKCS#12 certificate (loaded once)."""

    def __init__(self, p12_path: str | Path, password: str | None = None):
        from pyhanko.sign import signers

        self._signer = signers.SimpleSigner.load_pkcs12(
            pfx_file=str(p12_path), passphrase=password.encode() if password else None
        )
        if self._signer is None:
            raise ValueError(f"cannot load the signing certificate {p12_path}")

    @property
    def certificate(self) -> Any:
        return self._signer.signing_cert

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        meta = signers.PdfSignatureMetadata(
            field_name="AuthoritySignature",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = _outside_any_event_loop(signers.PdfSigner(meta, signer=self._signer).sign_pdf, writer)
        return out.getvalue()


def _outside_any_event_loop(fn: Any, *args: Any) -> Any:
    """pyHanko's blocking calls start their own asyncio loop, which fails in a thread that
    already runs one (an async server, a test's browser driver): run them in a thread of their
    own there."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def check(pdf: bytes, trust_roots: list[Any] | None = None) -> SignatureReport | None:
    """The first signature of `pdf`, validated against `trust_roots`; None when unsigned."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf))
    if not reader.embedded_signatures:
        return None
    sig = reader.embedded_signatures[0]
    status = _outside_any_event_loop(
        validate_pdf_signature, sig, ValidationContext(trust_roots=trust_roots or [])
    )
    return SignatureReport(
        signer=status.signing_cert.subject.human_friendly,
        intact=bool(status.intact),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
        signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else "",
    )
