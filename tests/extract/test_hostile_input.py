"""Bad input gets a clear error code and never takes the worker down."""

import io
import zlib

import pytest
from pypdf import PdfWriter

from councilwatch.samples import ilacs_report
from extract.findings import check_input, extract_findings
from extract.sandbox import Sandbox
from shared.canary import write_pdf


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(memory_limit_mb=512, timeout_s=20, max_pages=50)
    yield box
    box.close()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def one_page_pdf(chunk: bytes, repeats: int) -> bytes:
    """A one-page PDF whose Flate content stream is `chunk` × `repeats` when inflated."""
    packer = zlib.compressobj(9)
    stream = b"".join(packer.compress(chunk) for _ in range(repeats)) + packer.flush()
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    return write_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources " + font + b" /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ])


def flate_bomb(decompressed_mb: int) -> bytes:
    """1 MB of compressed drawing operators that inflate to `decompressed_mb` MiB."""
    return one_page_pdf(b"0 0 m " * (1024 * 1024 // 6), decompressed_mb)


def glyph_bomb(glyphs: int) -> bytes:
    """One page with `glyphs` text-showing operators (PDF.md: 5 M of them take GBs)."""
    return one_page_pdf(b"BT /F1 1 Tf " + b"(a) Tj " * 1000 + b"ET\n", glyphs // 1000)


def test_html_served_as_pdf_is_not_a_pdf():
    error = check_input(b"<!DOCTYPE html><html><body>Not found</body></html>", 10_000)
    assert error.code == "not_a_pdf" and "HTML" in error.message


def test_empty_and_oversized_input():
    assert check_input(b"", 10).code == "not_a_pdf"
    assert check_input(b"%PDF-1.7" + b"0" * 100, 50).code == "too_large"
    assert check_input(ilacs_report(), 10_000_000) is None


def test_encrypted_pdf(sandbox):
    assert sandbox.run(encrypted_pdf()).error.code == "encrypted"


def test_truncated_pdf_is_unreadable(sandbox):
    pdf = ilacs_report()
    assert sandbox.run(pdf[: len(pdf) // 2]).error.code == "unreadable"


def test_too_many_pages(sandbox):
    findings = sandbox.run(blank_pdf(60))
    assert findings.error.code == "too_many_pages"


def test_two_thousand_blank_pages_are_cheap():
    findings = extract_findings(blank_pdf(2000), max_pages=2000)
    assert findings.error is None and findings.pages == 2000 and findings.document_type == "unknown"


def test_timeout_kills_the_child_and_the_next_document_still_parses():
    box = Sandbox(memory_limit_mb=1024, timeout_s=0.01, max_pages=3000)
    try:
        assert box.run(blank_pdf(3000)).error.code == "timeout"
        box.timeout_s = 20
        assert box.run(ilacs_report()).judgements  # a fresh child took over
    finally:
        box.close()


def test_decompression_bomb_is_named_and_costs_one_error():
    box = Sandbox(memory_limit_mb=300, timeout_s=60, max_pages=10)
    try:
        findings = box.run(flate_bomb(1024))
        assert findings.error.code == "too_large"
        assert "decompression bomb" in findings.error.message
        assert box.run(ilacs_report()).error is None  # the next document still parses
    finally:
        box.close()


def test_glyph_bomb_is_refused_without_taking_the_worker_down():
    box = Sandbox(memory_limit_mb=400, timeout_s=60, max_pages=10)
    try:
        findings = box.run(glyph_bomb(5_000_000))
        assert findings.error.code in {"too_large", "timeout"}
        assert box.run(ilacs_report()).judgements
    finally:
        box.close()


def test_html_served_as_pdf_through_the_cli_path(sandbox, tmp_path):
    from councilwatch.main import main

    good = tmp_path / "good.pdf"
    good.write_bytes(ilacs_report())
    html = tmp_path / "report.pdf"
    html.write_bytes(b"<!DOCTYPE html><html><body>Error 404</body></html>")
    missing = tmp_path / "missing.pdf"
    import contextlib
    import io as _io
    import json

    out = _io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["extract", str(html), str(missing), str(good)]) == 0
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["file"] for x in lines] == [str(html), str(missing), str(good)]
    assert lines[0]["error"]["code"] == "not_a_pdf"
    assert lines[1]["error"]["code"] == "unreadable"
    assert lines[2]["error"] is None and lines[2]["document_type"] == "ilacs_inspection"
