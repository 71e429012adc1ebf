"""Many letters at once: rendered in parallel processes, or laid out as one batch PDF whose
faces are embedded once per process share instead of once per letter.

Merging the stored PDFs repeated the CJK subsets in every letter (14 MiB for 100 letters). The
batch is laid out from the letters' frozen contexts, the same facts and template the stored
letters were made from; each worker writes its share as one PDF, and the shares are joined.
"""

from __future__ import annotations

import ctypes
import io
import multiprocessing
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

# Workers start by fork: they inherit the loaded fonts and stylesheet, and need no re-import.
_CONTEXT = multiprocessing.get_context("fork")
PR_SET_PDEATHSIG = 1  # prctl(2)


def workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), 4))


def _die_with(parent: int) -> None:
    """A render process ends when the process that forked it dies (a job worker killed with
    SIGKILL): nobody would ever give it work again, and it would keep its memory for ever."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the service manager ends them instead
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _pool_map(
    fn: Callable[[Any], bytes],
    items: Sequence[Any],
    n: int,
    finished: Callable[[int], None] | None = None,
) -> list[bytes]:
    """`fn` over `items` in `n` forked workers, results in the order of `items`; `finished(i)`
    is called here as each item's result arrives. The engine's lock is held while they fork,
    so no worker is copied in the middle of a render (each starts with a fresh lock), and the
    fonts and stylesheet are loaded once here for all of them."""
    from . import engine

    with engine._lock:
        engine._prepared()
        pool = ProcessPoolExecutor(
            n, mp_context=_CONTEXT, initializer=_die_with, initargs=(os.getpid(),)
        )
        futures = [pool.submit(fn, item) for item in items]  # the workers fork here
    try:
        index = {f: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            future.result()  # a failed share fails the whole batch at once
            if finished is not None:
                finished(index[future])
        return [f.result() for f in futures]
    finally:
        pool.shutdown(cancel_futures=True)


def _one(context: Mapping[str, Any]) -> bytes:
    from .render import render_letter

    return render_letter(context)


def _share(contexts: Sequence[Mapping[str, Any]]) -> bytes:
    from .engine import htmls_to_pdf
    from .render import _refuse_boxes, letter_html

    for c in contexts:
        _refuse_boxes(c)
    return htmls_to_pdf([letter_html(c, for_pdf=True) for c in contexts])


def render_letters(
    contexts: Sequence[Mapping[str, Any]], processes: int | None = None
) -> list[bytes]:
    """Each letter's own PDF (the bytes to store), rendered on every core."""
    n = processes or workers()
    if n == 1 or len(contexts) < 2:
        return [_one(c) for c in contexts]
    return _pool_map(_one, contexts, n)


def batch_pdf(
    contexts: Sequence[Mapping[str, Any]],
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The letters in the order given as one PDF, for one print job. `progress(done, total)`
    is told the letters laid out so far each time a worker's share is finished."""
    from pypdf import PdfReader, PdfWriter

    n = min(processes or workers(), max(1, len(contexts) // 4))
    size = -(-len(contexts) // n)
    shares = [contexts[i : i + size] for i in range(0, len(contexts), size)]
    laid_out = 0

    def finished(i: int) -> None:
        nonlocal laid_out
        laid_out += len(shares[i])
        if progress:
            progress(laid_out, len(contexts))

    if n == 1:
        parts = [_share(contexts)]
        finished(0)
    else:
        parts = _pool_map(_share, shares, n, finished)
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
