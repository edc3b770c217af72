"""Giving memory the report has freed back to the system (glibc only, a no-op elsewhere).

glibc's allocator raises its mmap threshold each time a large block is freed (up to 32 MB),
so after the reading the analysis's arrays of a few MB come from the heap, and heap memory
freed below a live block is kept by the process: at 10,000,000 rows that is hundreds of
MB of resident memory the report no longer uses. A fixed threshold keeps every large array
in its own mapping, returned to the system as soon as it is freed, and ``malloc_trim``
returns the free heap pages left once the rows are released.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["give_back_freed", "map_large_blocks"]

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
# Blocks from 256 KiB up get their own mapping: numpy arrays of more than 32,768 float64.
LARGE_BLOCK = 256 * 1024


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the C library this process already uses
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return libc


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Fix glibc's mmap threshold (large blocks mapped and unmapped on free); True if set."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, threshold))


def give_back_freed() -> bool:
    """Return free heap pages to the system; True when glibc released some."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
