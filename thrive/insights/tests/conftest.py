"""Shared fixtures: the CDNOW data (shipped in tests/data/cdnow, see its README)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from thrive.insights.summary import CustomerSummary, calibration_holdout_split

from .cdnow_paths import CDNOW_DIR

CALIBRATION_END = np.datetime64("1997-09-30")
OBSERVATION_END = np.datetime64("1998-06-30")


@dataclass(frozen=True)
class Transactions:
    customer_ids: np.ndarray
    dates: np.ndarray
    amounts: np.ndarray


@dataclass(frozen=True)
class CalibrationHoldout:
    transactions: Transactions
    summary: CustomerSummary
    holdout_counts: np.ndarray


def _yyyymmdd_to_dates(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.int64)
    years, months, days = v // 10000, v // 100 % 100, v % 100
    month_starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (
        months - 1
    ).astype("timedelta64[M]")
    return month_starts.astype("datetime64[D]") + (days - 1).astype("timedelta64[D]")


def _require(path: Path) -> Path:
    # The data ships with the repository, so a missing file is a broken checkout: fail loudly
    # rather than skip the published-estimate checks without anyone noticing.
    if not path.exists():
        pytest.fail(f"CDNOW data missing at {path}: it ships with the repository")
    return path


@pytest.fixture(scope="session")
def cdnow_sample() -> Transactions:
    """The 1/10 CDNOW sample: 2,357 customers, 6,919 purchases."""
    raw = np.loadtxt(_require(CDNOW_DIR / "CDNOW_sample.txt"))
    return Transactions(raw[:, 1].astype(np.int64), _yyyymmdd_to_dates(raw[:, 2]), raw[:, 4])


@pytest.fixture(scope="session")
def cdnow_master() -> Transactions:
    """The full CDNOW cohort: 23,570 customers."""
    raw = np.loadtxt(_require(CDNOW_DIR / "CDNOW_master.txt"), skiprows=1)
    return Transactions(raw[:, 0].astype(np.int64), _yyyymmdd_to_dates(raw[:, 1]), raw[:, 3])


@pytest.fixture(scope="session")
def cdnow_calibration(cdnow_sample: Transactions) -> CalibrationHoldout:
    """The papers' set-up: weeks, 39-week calibration to 1997-09-30, holdout to 1998-06-30."""
    summary, holdout = calibration_holdout_split(
        cdnow_sample.customer_ids,
        cdnow_sample.dates,
        cdnow_sample.amounts,
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
    )
    return CalibrationHoldout(cdnow_sample, summary, holdout)


# Fader, Hardie & Shang (2010), Table 1: the 1995 cohort of 11,104 first-time supporters
# of a US non-profit, six annual donation opportunities 1996-2001.  Rows are
# (x = repeat donations, t_x = year of the last one, number of donors).
DONATIONS_TABLE_1 = np.array(
    [
        [0, 0, 3464], [1, 1, 1091], [1, 2, 277], [1, 3, 129], [1, 4, 78], [1, 5, 119],
        [1, 6, 129], [2, 2, 613], [2, 3, 255], [2, 4, 155], [2, 5, 173], [2, 6, 234],
        [3, 3, 322], [3, 4, 181], [3, 5, 225], [3, 6, 357], [4, 4, 240], [4, 5, 284],
        [4, 6, 512], [5, 5, 335], [5, 6, 728], [6, 6, 1203],
    ],
    dtype=float,
)  # fmt: skip


@pytest.fixture(scope="session")
def donations() -> np.ndarray:
    return DONATIONS_TABLE_1
