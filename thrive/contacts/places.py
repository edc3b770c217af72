"""Choices for a person's place: countries by name and time zones by region.

Country names come from the time-zone database's ISO 3166 table (the tzdata package or
the system's copy), with the few names it abbreviates spelled out; the stored value stays
the two-letter code. Time zones are the zoneinfo names Python knows, grouped by region.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from zoneinfo import available_timezones

# tzdata's table writes these for brevity; people look for the usual names.
_BETTER_NAMES = {
    "GB": "United Kingdom", "KR": "South Korea", "KP": "North Korea",
    "US": "United States", "VA": "Vatican City", "CD": "Congo (Democratic Republic)",
    "CG": "Congo (Republic)",
}  # fmt: skip


def iso3166_table() -> str:
    """The ISO 3166 code → name table that ships with the time-zone database."""
    try:
        return importlib.resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        system = Path("/usr/share/zoneinfo/iso3166.tab")
        return system.read_text(encoding="utf-8") if system.is_file() else ""


@functools.cache
def country_names() -> dict[str, str]:
    """Two-letter code → English name, in name order."""
    names: dict[str, str] = {}
    for line in iso3166_table().splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            names[code.strip()] = _BETTER_NAMES.get(code.strip(), name.strip())
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *country_names().items()]


@functools.cache
def _zones_by_region() -> dict[str, list[str]]:
    regions: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        region, slash, _ = name.partition("/")
        if not slash or region in {"Etc", "SystemV", "US", "Canada", "Brazil", "Mexico", "Chile"}:
            continue  # legacy aliases: the Region/City names cover them
        regions.setdefault(region, []).append(name)
    return regions


def zone_label(name: str) -> str:
    """ "America/Los_Angeles" → "Los Angeles (America)"-style text for the list."""
    return name.partition("/")[2].replace("_", " ").replace("/", " – ") or name


def time_zone_choices(first: str | None = None) -> list[tuple[str, object]]:
    """Grouped choices for a select: the business's zone first, then by region. UTC and
    any name Python knows stay valid (see :func:`is_time_zone`) even if not listed."""
    choices: list[tuple[str, object]] = [("", "—")]
    if first and first in available_timezones():
        choices.append(("Your business's zone", [(first, first.replace("_", " "))]))
    choices.append(("Universal", [("UTC", "UTC")]))
    for region, names in _zones_by_region().items():
        choices.append((region, [(name, zone_label(name)) for name in names]))
    return choices


def is_time_zone(name: str) -> bool:
    return name in available_timezones()
