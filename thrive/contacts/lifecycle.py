"""Lifecycle rules: every stage change Thrive makes on its own, and the cause it records.

An associate moving someone by hand goes through :func:`thrive.contacts.services.change_stage`
(cause MANUAL). Everything else (an order, a booking, an import, its undo, an automation,
a merge) calls the rule here that names the event, so which stages an event may move a
person from, and what the history says about it, is decided in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import Person, Stage, StageCause

# A kept order makes a client of anyone not yet (or no longer) buying.
ORDER_PROMOTES_FROM = frozenset({Stage.SUSPECT, Stage.PROSPECT, Stage.LOST})
# Booking a strategy session is interest, not a purchase: a prospect, not a client. A
# newcomer who books starts there, with the booking as the recorded cause.
BOOKING_PROMOTES_FROM = frozenset({Stage.SUSPECT, Stage.LOST})
BOOKED_NEWCOMER = {"stage": Stage.PROSPECT, "cause": StageCause.BOOKING}


def _move(person: Person, stage: str, *, cause: str, **history: Any) -> bool:
    # Person.save writes the row, the history and the timeline entry in one transaction.
    return person.set_stage(stage, cause=cause, **history)


def order_placed(person: Person, *, at: dt.datetime) -> bool:
    """A kept order at ``at`` makes a suspect, prospect or lost person a client."""
    if person.stage not in ORDER_PROMOTES_FROM:
        return False
    return _move(person, Stage.CLIENT, cause=StageCause.ORDER, at=at)


def session_booked(person: Person, *, at: dt.datetime) -> bool:
    """Booking a strategy session makes a suspect or lost person a prospect."""
    if person.stage not in BOOKING_PROMOTES_FROM:
        return False
    return _move(
        person, Stage.PROSPECT, cause=StageCause.BOOKING, at=at, note="Booked a strategy session"
    )


def imported(person: Person, stage: str, *, actor: Any, note: str = "") -> bool:
    """An import (or the undo of one) set the stage; ``actor`` ran it."""
    return _move(person, stage, cause=StageCause.IMPORT, actor=actor, note=note)


def automated(person: Person, stage: str, *, note: str = "") -> bool:
    """A workflow step moved the person; ``note`` says which and why."""
    return _move(person, stage, cause=StageCause.AUTOMATION, note=note[:255])


def merged(survivor: Person, stage: str, *, actor: Any) -> bool:
    """Two records became one: the survivor keeps the further of the two stages."""
    return _move(survivor, stage, cause=StageCause.MERGE, actor=actor)
