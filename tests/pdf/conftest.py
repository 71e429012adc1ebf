"""Each example letter and document rendered once per session, as a PDF file on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from web.pdf import render_document, render_letter, samples


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdf")


def _rendered_once(pdf_dir: Path, render, sample) -> Callable[[str], Path]:
    """The example of a kind rendered with `render`, written once per test session."""
    cache: dict[str, Path] = {}

    def get(kind: str) -> Path:
        if kind not in cache:
            cache[kind] = pdf_dir / f"{kind}.pdf"
            cache[kind].write_bytes(render(sample(kind)))
        return cache[kind]

    return get


@pytest.fixture(scope="session")
def letter_pdf(pdf_dir) -> Callable[[str], Path]:
    """The example letter of a kind (web.pdf.samples), rendered once."""
    return _rendered_once(pdf_dir, render_letter, samples.letter)


@pytest.fixture(scope="session")
def document_pdf(pdf_dir) -> Callable[[str], Path]:
    """The example generated document of a kind, rendered once."""
    return _rendered_once(pdf_dir, render_document, samples.document)
