"""Choices for a trigger's settings that belong to an app above automations.

The "form submitted" trigger picks a lead form, but the forms live in ``thrive.leadforms``,
which automations may not import. The app that owns the things registers them in its
``AppConfig.ready``::

    from thrive.automations.trigger_options import register_trigger_options

    register_trigger_options(
        "form_submitted", "form", options=form_choices, anything="Any form", noun="form"
    )

where ``options()`` returns ``(value, words)`` pairs: the value a saved workflow keeps in
its ``trigger_config`` and the words the editor and the plain-words summary show. With a
provider the editor offers a choice list (its empty choice reads ``anything``), the
summary names the thing in words, and saving a value the provider does not list is
refused. Without one the setting stays free text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Options = Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class TriggerOptions:
    options: Options
    anything: str  # the empty choice, e.g. "Any form"
    noun: str  # what one option is, e.g. "form"


_PROVIDERS: dict[tuple[str, str], TriggerOptions] = {}


def register_trigger_options(
    trigger: str, key: str, *, options: Options, anything: str, noun: str
) -> None:
    """Offer ``options()`` for the setting ``key`` of ``trigger`` (replacing any earlier)."""
    _PROVIDERS[(str(trigger), key)] = TriggerOptions(options, anything, noun)


def provider(trigger: str, key: str) -> TriggerOptions | None:
    return _PROVIDERS.get((str(trigger), key))


def unknown_value_errors(trigger: str, config: dict[str, object]) -> list[str]:
    """A sentence for each setting whose value its provider does not offer."""
    errors = []
    for (kind, key), found in _PROVIDERS.items():
        value = config.get(key)
        if kind != str(trigger) or value in (None, ""):
            continue
        if str(value) not in {v for v, _ in found.options()}:
            errors.append(
                f"There is no {found.noun} “{value}”: choose one of the {found.noun}s "
                f"listed, or “{found.anything}”."
            )
    return errors
