"""Letters signed as PDF (PAdES) with the authority's certificate when one is configured, and
/verify reporting the signature. The test makes its own certificate."""

import datetime

import pytest

from web.pdf.sign import _outside_any_event_loop, check
from workflow.data.models import Letter

from ..conftest import make_app
from ..journey import Journey, make_people


def make_certificate(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "枣阳市住房和城乡建设局")])
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "authority.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"authority", key, cert, None, serialization.BestAvailableEncryption(b"secret")
        )
    )
    return path, cert


@pytest.fixture
def signed_app(tmp_path, clock):
    p12, cert = make_certificate(tmp_path)
    app = make_app(
        tmp_path, clock, RENDER_PDF=True, SIGNING_P12=str(p12), SIGNING_P12_PASSWORD="secret"
    )
    yield app, cert
    app.extensions["jiati"].db.dispose()


def test_letters_are_signed_and_the_signature_validates(signed_app):
    import io

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    app, cert = signed_app
    rt = app.extensions["jiati"]
    case_id = Journey(rt, make_people(rt)).case_in("review")
    with rt.db.session() as s:
        letter = s.query(Letter).filter_by(case_id=case_id).one()
        code, pdf = letter.verify_code, rt.store.read(letter.sha256)

    root = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    status = _outside_any_event_loop(
        validate_pdf_signature, sig, ValidationContext(trust_roots=[root])
    )
    assert status.intact and status.valid and status.trusted
    assert "枣阳市住房和城乡建设局" in status.signing_cert.subject.human_friendly

    page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "电子签名" in page and "✔ 有效" in page and "枣阳市住房和城乡建设局" in page


def test_letters_are_signed_where_an_event_loop_already_runs(signed_app):
    """pyHanko runs its own asyncio loop; a server or worker thread that runs one already
    (an async host, a browser driver) still gets signed letters."""
    import asyncio
    import threading

    app, _cert = signed_app
    rt = app.extensions["jiati"]

    made: list[int] = []

    async def in_a_loop() -> None:
        made.append(Journey(rt, make_people(rt)).case_in("review"))

    # A thread of its own, so that the loop is this test's whatever the main thread runs.
    worker = threading.Thread(target=asyncio.run, args=(in_a_loop(),))
    worker.start()
    worker.join()
    (case_id,) = made
    with rt.db.session() as s:
        letter = s.query(Letter).filter_by(case_id=case_id).one()
        assert letter.sha256, "the letter was rendered and signed"
        pdf = rt.store.read(letter.sha256)
    assert check(pdf) is not None


def test_unsigned_letters_say_nothing_of_a_signature(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True)
    rt = app.extensions["jiati"]
    case_id = Journey(rt, make_people(rt)).case_in("review")
    with rt.db.session() as s:
        code = s.query(Letter).filter_by(case_id=case_id).one().verify_code
    page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "核验通过" in page and "电子签名" not in page
    rt.db.dispose()
