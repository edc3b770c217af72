"""Whether an associate wants an email Thrive sends them about an event (a booking, a
detractor…), and the switch-off line that goes at its foot.

Core imports no app: the app that keeps the associates' choices (``thrive.digests``)
registers itself at start-up. Without it every notice goes, with no footer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (associate, kind) -> whether to send; (associate, kind) -> the footer text ("" for none)
_wants: Callable[[Any, str], bool] | None = None
_footer: Callable[[Any, str], str] | None = None


def register(*, wants: Callable[[Any, str], bool], footer: Callable[[Any, str], str]) -> None:
    global _wants, _footer
    _wants, _footer = wants, footer


def wants(associate: Any, kind: str) -> bool:
    return True if _wants is None else _wants(associate, kind)


def footer(associate: Any, kind: str) -> str:
    return "" if _footer is None else _footer(associate, kind)
