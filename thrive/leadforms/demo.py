"""The demo's "course on request": a form on the roastery's site, "Brewing course by
email", that enrols whoever confirms in five short lessons about brewing at home."""

from __future__ import annotations

from django.db import transaction

from thrive.accounts.models import Associate
from thrive.automations.models import TriggerKind, Workflow
from thrive.automations.services import activate_workflow, save_workflow
from thrive.contacts.models import ConsentPurpose
from thrive.outreach.email_templates.saving import save_template
from thrive.outreach.models import EmailTemplate, MessagePurpose, OnCap, Sequence
from thrive.outreach.sending.sequencing import add_step, create_sequence

from .models import LeadForm
from .services import save_form

FORM_NAME = "Brewing course by email"
FORM_SLUG = "brewing-course"
SEQUENCE_NAME = "Brewing course: five lessons"
CONSENT = (
    "Email me the five brewing lessons and, now and then, news from Kettle & Crow. "
    "I can unsubscribe at any time."
)
_HI = '{{ person.first_name|default:"there" }}'
_UNSUBSCRIBE_HTML = (
    '{% if unsubscribe_url %}<p>Not for you any more? <a href="{{ unsubscribe_url }}">'
    "Unsubscribe</a> with one click.</p>{% endif %}"
)
_UNSUBSCRIBE_TEXT = (
    "{% if unsubscribe_url %}\n--\nNot for you any more? Unsubscribe with one click: "
    "{{ unsubscribe_url }}\n{% endif %}"
)

# (subject, paragraphs): one lesson every two days.
LESSONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Lesson 1 of 5: fresh beans and a scale", (
        "Welcome to the course! Over the next ten days you will get five short lessons; "
        "by the end your coffee at home will taste like ours at the bar.",
        "Start with the beans. Coffee is at its best from about four days to four weeks "
        "after roasting, so look for a roast date on the bag (not a best-before date) "
        "and buy as much as you will drink in a month.",
        "Then weigh, do not scoop. A kitchen scale that reads single grams is the best "
        "money you will spend on coffee. Our starting ratio for filter coffee is 1 to 16: "
        "15 g of coffee for 250 g of water, a good mug.",
        "Homework: find the roast date on your bag and weigh out tomorrow's 15 g.",
    )),
    ("Lesson 2 of 5: grind just before you brew", (
        "Ground coffee goes stale in minutes, not weeks: grind each brew fresh.",
        "A burr grinder gives even pieces, so the coffee brews evenly; a blade grinder "
        "makes dust and boulders at once, which taste bitter and sour together.",
        "Match the grind to the brewer: fine as table salt for a moka pot, like coarse "
        "sand for a pour-over, like breadcrumbs for a French press.",
        "Homework: rub a pinch of your grounds between your fingers and compare them "
        "with salt and sand.",
    )),
    ("Lesson 3 of 5: the water is 98% of your cup", (
        "If your tap water tastes of chlorine, so will your coffee. Filtered water from "
        "a jug filter is plenty; avoid distilled water, which makes flat coffee.",
        "Brew with water between 92 and 96 °C: boil the kettle and let it rest about "
        "thirty seconds. Darker roasts like it a little cooler, lighter roasts hotter.",
        "Warm the brewer and your mug with hot water first, then pour that water away.",
        "Homework: brew the same coffee with tap water and filtered water and taste "
        "them side by side.",
    )),
    ("Lesson 4 of 5: a pour-over, step by step", (
        "Put a paper filter in the dripper, rinse it with hot water and pour that away. "
        "Add 15 g of medium-fine coffee and shake it level.",
        "Start a timer and pour 30 g of water to wet all the grounds: the bloom. Wait "
        "30 to 45 seconds while the fresh coffee bubbles out its gas.",
        "Then pour slowly in small circles, keeping clear of the paper, until the scale "
        "reads 250 g at about 1 minute 45. Everything should have dripped through "
        "between 2 minutes 30 and 3 minutes.",
        "Homework: brew one cup exactly like this and note the time it finished.",
    )),
    ("Lesson 5 of 5: taste, then change one thing", (
        "Taste your cup as it cools. Sour, thin or salty means under-extracted: grind "
        "finer or use hotter water. Bitter, dry or hollow means over-extracted: grind "
        "coarser or pour a little faster.",
        "Change one thing at a time, and write down the dose, grind and time of the cup "
        "you liked best, so you can make it again tomorrow.",
        "That is the whole course. Thank you for brewing along with us! If a cup puzzles "
        "you, reply to this email or bring your notes to the bar: we love this stuff.",
    )),
)  # fmt: skip
SIGNATURE = "Tom, at the bar at Kettle & Crow"


def _html(paragraphs: tuple[str, ...]) -> str:
    parts = (f"Hi {_HI},", *paragraphs, SIGNATURE)
    return "\n".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in parts) + "\n" + _UNSUBSCRIBE_HTML


def _text(paragraphs: tuple[str, ...]) -> str:
    return "\n\n".join((f"Hi {_HI},", *paragraphs, SIGNATURE)) + "\n" + _UNSUBSCRIBE_TEXT


def ensure_course() -> Sequence:
    """The five-lesson sequence (idempotent)."""
    sequence = Sequence.objects.filter(name=SEQUENCE_NAME).first()
    if sequence is not None:
        return sequence
    with transaction.atomic():
        sequence = create_sequence(
            actor=None, name=SEQUENCE_NAME, purpose=MessagePurpose.EMAIL_MARKETING,
            on_cap=OnCap.DEFER,
            description=(f"Education on request: five lessons, one every two days, for "
                         f"whoever asks on the form “{FORM_NAME}” and confirms."),
        )  # fmt: skip
        for number, (subject, paragraphs) in enumerate(LESSONS):
            name = f"Brewing course {number + 1} of 5"
            template = EmailTemplate.objects.filter(name__iexact=name).first() or save_template(
                None, actor=None, name=name, subject=subject,
                html_body=_html(paragraphs), text_body=_text(paragraphs),
            )  # fmt: skip
            add_step(sequence, actor=None, template=template, delay_hours=0 if not number else 48)
    return sequence


def ensure_course_form(notify: Associate | None = None) -> LeadForm:
    form = LeadForm.objects.filter(slug=FORM_SLUG).first()
    if form is not None:
        return form
    return save_form(
        None, actor=None,
        values={
            "name": FORM_NAME, "slug": FORM_SLUG,
            "intro": ("Five short lessons, one every two days: beans, grinding, water, a "
                      "pour-over step by step, and how to taste and adjust. Free."),
            "button_label": "Send me the course",
            "consent_texts": {ConsentPurpose.EMAIL_MARKETING.value: CONSENT},
            "thank_you_text": "Thank you! Lesson 1 is on its way as soon as you confirm.",
            "sequence": ensure_course(), "tags": "brewing course", "notify": notify,
        },
        rows=[
            {"target": "first_name", "label": "First name"},
            {"target": "email", "label": "Email", "required": True},
            {"target": "city", "label": "Where do you brew?",
             "help_text": "Your town, so we can tell you about tastings nearby."},
        ],
    )  # fmt: skip


CHECK_IN = "Brewing course check-in"


def ensure_check_in(form: LeadForm, associate: Associate | None) -> None:
    """A workflow the form starts (picked from the editor's list of forms): ten days on,
    the associate asks how the course went."""
    if associate is None or Workflow.objects.filter(name=CHECK_IN).exists():
        return
    workflow = save_workflow(
        actor=None, name=CHECK_IN, trigger=TriggerKind.FORM_SUBMITTED,
        trigger_config={"form": form.slug},
        description="Whoever asks for the course hears from a person once it is over.",
        steps=[
            {"kind": "wait", "days": 10},
            {"kind": "create_task", "associate": associate.pk, "task_kind": "call",
             "title": "Ask {{ person.first_name|default:'them' }} how the brewing course went",
             "due_in_days": 2},
        ],
    )  # fmt: skip
    activate_workflow(workflow, actor=None)


def seed_demo(owner_username: str) -> None:
    """Seed the course form (idempotent): Tom, who teaches the brewing classes, is told,
    and checks in with each student once the course is over."""
    tom = Associate.objects.filter(username="tom").first()
    teacher = tom or Associate.objects.filter(username=owner_username).first()
    ensure_check_in(ensure_course_form(notify=teacher), teacher)
