"""People and organizations, their stages, roles, tags and referrals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from thrive.accounts.models import validate_time_zone
from thrive.contacts.identity import normalize_email, normalize_phone
from thrive.core.models import TimeStampedModel

from .choices import RelationshipRole, Stage, StageCause
from .fields import CustomFieldEntity, validate_custom_fields


class AcquisitionChannel(models.Model):
    """How people first found the business; marketing spend is booked per channel."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    is_paid = models.BooleanField(default=False, help_text="Spend is booked against it.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True, help_text="Headcount.")
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code.")
    city = models.CharField(max_length=120, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # The people list's company search and the organization admin search.
            models.Index(fields=["name"], name="organization_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.custom_fields = validate_custom_fields(
            CustomFieldEntity.ORGANIZATION, self.custom_fields
        )


class PersonQuerySet(models.QuerySet["Person"]):
    def update(self, **kwargs: Any) -> int:
        # A bulk update would change stages without writing their history.
        if "stage" in kwargs:
            raise TypeError("Change stages with Person.set_stage() so history is kept.")
        return super().update(**kwargs)


class Person(TimeStampedModel):
    """Someone in the business's ecosystem: a suspect, prospect, client, advocate or lost
    customer, and through ``roles`` possibly also staff, vendor or partner.

    Saving a person whose stage changed always writes a StageChange, whatever the path
    (service, admin, import); ``set_stage`` is how callers name the cause and actor.
    """

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, unique=True, null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="Stored in E.164 form.")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    job_title = models.CharField(max_length=120, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SUSPECT)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    # Indexed by person_channel_idx, which leads with it: a second index only slows writes.
    acquisition_channel = models.ForeignKey(
        AcquisitionChannel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,
    )
    acquisition_source = models.CharField(
        max_length=200, blank=True, help_text="Campaign, ad or event that brought them."
    )
    first_seen_at = models.DateTimeField(
        default=timezone.now, help_text="The first contact with the business."
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code.")
    region = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=120, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    automation_paused = models.BooleanField(
        "no automation", default=False,
        help_text="Workflows leave this person alone: no new enrolment, and any workflow "
        "they are in stops before its next step. People, not machines, handle them.",
    )  # fmt: skip
    tags: models.ManyToManyField[Tag, PersonTag] = models.ManyToManyField(
        "Tag", through="PersonTag", related_name="people", blank=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            # Stage filters on the people list and the ecosystem map's counts.
            models.Index(fields=["stage", "id"], name="person_stage_idx"),
            # Name search and the default ordering of the people list.
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            # Acquisition cohorts: new customers per channel and month.
            models.Index(
                fields=["acquisition_channel", "first_seen_at"], name="person_channel_idx"
            ),
        ]

    # Filled by set_stage() for the next save; plain saves count as manual changes.
    _stage_cause: str = StageCause.MANUAL
    _stage_actor: Any = None
    _stage_note: str = ""
    _stage_explicit: bool = False
    _saved_stage: str | None = None

    def __str__(self) -> str:
        return self.full_name or self.email or f"Person {self.pk}"

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Any, values: Any, *, fetch_mode: Any = None
    ) -> Person:
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._saved_stage = instance.__dict__.get("stage")
        return instance

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for name, normalizer in (("email", normalize_email), ("phone", normalize_phone)):
            try:
                setattr(self, name, normalizer(getattr(self, name)))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        try:
            self.custom_fields = validate_custom_fields(
                CustomFieldEntity.PERSON, self.custom_fields
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def set_stage(
        self, stage: str, *, cause: str, actor: Any = None, at: Any = None, note: str = ""
    ) -> bool:
        """Move to ``stage`` and save, recording why. Returns False if already there."""
        if stage not in Stage.values:
            raise ValidationError({"stage": f"{stage!r} is not a lifecycle stage."})
        if cause not in StageCause.values:
            raise ValidationError({"cause": f"{cause!r} is not a stage-change cause."})
        if stage == self.stage and self.pk is not None:
            return False
        self.stage = stage
        self.stage_changed_at = at or timezone.now()
        self._stage_cause, self._stage_actor, self._stage_note = cause, actor, note
        self._stage_explicit = True
        self.save()
        return True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        adding = self._state.adding
        changed_from = None if adding else self._saved_stage
        stage_changed = adding or (changed_from is not None and changed_from != self.stage)
        if stage_changed and not adding and not self._stage_explicit:
            # A plain save (e.g. the admin form) moved the stage: it happened now.
            self.stage_changed_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if stage_changed:
                self._record_stage_change(changed_from or "")
        self._saved_stage = self.stage
        self._stage_cause, self._stage_actor, self._stage_note = StageCause.MANUAL, None, ""
        self._stage_explicit = False

    def _record_stage_change(self, from_stage: str) -> None:
        """Write the stage history row and its timeline entry (one rule, every path)."""
        from .activity import Activity
        from .choices import ActivityChannel, ActivityKind, Direction

        StageChange.objects.create(
            person=self,
            from_stage=from_stage,
            to_stage=self.stage,
            changed_at=self.stage_changed_at,
            cause=self._stage_cause,
            actor=self._stage_actor,
            note=self._stage_note,
        )
        label = Stage(self.stage).label
        Activity.objects.create(
            person=self,
            kind=ActivityKind.STAGE_CHANGE,
            occurred_at=self.stage_changed_at,
            channel=ActivityChannel.SYSTEM,
            direction=Direction.INTERNAL,
            associate=self._stage_actor,
            subject=f"{Stage(from_stage).label} → {label}"
            if from_stage
            else f"Became a {label.lower()}",
            data={"from": from_stage, "to": self.stage, "cause": self._stage_cause},
            automated=self._stage_cause == StageCause.AUTOMATION,
        )


class PersonRole(models.Model):
    """A relationship beyond the customer funnel: staff, vendor, partner, referral partner."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=RelationshipRole.choices)
    since = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role"],
                name="person_role_once",
                violation_error_message="This person already has that role.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class StageChange(models.Model):
    """One move along the lifecycle. Funnels and time-in-stage are computed from these."""

    # Indexed by stagechange_person_idx, which leads with it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="stage_history", db_index=False
    )
    from_stage = models.CharField(
        max_length=16, choices=Stage.choices, blank=True, help_text="Blank when first recorded."
    )
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=16, choices=StageCause.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["person", "changed_at", "id"]
        indexes = [
            # Funnel and time-in-stage aggregates scan transitions by stage over time.
            models.Index(fields=["to_stage", "changed_at"], name="stagechange_to_idx"),
            # A person's stage history on their page, in order.
            models.Index(fields=["person", "changed_at"], name="stagechange_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_stage or '—'} → {self.to_stage}"


class Tag(models.Model):
    name = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#6b7280", help_text="Hex colour, e.g. #2563eb.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"),
                name="tag_name_unique_ci",
                violation_error_message="A tag with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="person_tags")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"],
                name="person_tag_once",
                violation_error_message="This person already has that tag.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.tag_id}"


class Referral(models.Model):
    """Who referred whom. A person is referred at most once: the first referrer counts."""

    referrer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals_made")
    referred = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="referral_received"
    )
    referred_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-referred_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referrer=models.F("referred")),
                name="referral_not_self",
                violation_error_message="A person cannot refer themselves.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id}"


class MergeRecord(models.Model):
    """The trace of a merge: who was folded into whom, by whom, and what they looked like."""

    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    merged_person_id = models.BigIntegerField(help_text="The id of the record that was removed.")
    merged_snapshot = models.JSONField(help_text="The removed record's fields at merge time.")
    moved_counts = models.JSONField(default=dict, help_text="How many rows moved, per kind.")
    merged_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_person_id} → {self.survivor_id}"
