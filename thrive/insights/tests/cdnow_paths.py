"""Where the CDNOW data the literature tests check against lives (shipped in the repository)."""

from pathlib import Path

CDNOW_DIR = Path(__file__).resolve().parent / "data" / "cdnow"
