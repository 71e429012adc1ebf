"""Letters and generated documents as PDF (WeasyPrint) and HTML previews, from plain dicts.

``render`` turns a context into HTML or PDF (the context schema is documented there), ``fonts``
finds and pre-subsets the CJK faces and checks them at start-up, ``engine`` is the only module
that imports WeasyPrint, on the first PDF. Names are loaded on first use, so that
``python -m web.pdf.fonts`` (run by ``make install``) does not load the renderer.
"""

from importlib import import_module

_EXPORTS = {
    "ContextError": "render",
    "document_html": "render",
    "letter_html": "render",
    "render_document": "render",
    "render_letter": "render",
    "FontMissingError": "fonts",
    "check_fonts": "fonts",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
