"""Strategy sessions: what can be booked, when associates are free, and the bookings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from thrive.accounts.models import validate_time_zone
from thrive.contacts.models import Person
from thrive.core.models import TimeStampedModel


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SessionType(TimeStampedModel):
    """A kind of session people can book (e.g. a free 30-minute strategy session)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(120)], help_text="Kept free before a session."
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(120)], help_text="Kept free after a session."
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        default=12,
        validators=[MaxValueValidator(24 * 14)],
        help_text="The earliest a session can start, counted from now.",
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How far ahead people may book.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["minutes", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


class Availability(models.Model):
    """One window of weekly hours of one associate, in the associate's own time zone
    (``Associate.time_zone``): a Monday 09:00–12:00 stays 09:00 local across DST."""

    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["associate", "weekday", "start_time"]
        verbose_name_plural = "availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_ends_after_it_starts",
                violation_error_message="Weekly hours must end after they start.",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.associate} · {self.get_weekday_display()} "
            f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        )


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Moved to another time"
    DONE = "done", "Done"


class Booking(models.Model):
    """One booked session. Moving it makes a new booking with the same ``uid`` and the
    next ``sequence`` (calendar apps update the event in place); the old row is kept as
    ``rescheduled``. Times are stored in UTC; ``visitor_time_zone`` is how they were shown."""

    uid = models.CharField(max_length=64, db_index=True, help_text="The calendar event's UID.")
    sequence = models.PositiveIntegerField(default=0)
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="bookings")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    visitor_time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    note = models.TextField(blank=True, max_length=1000, help_text="What they want to talk about.")
    consent_text = models.TextField(help_text="The words the visitor agreed to when booking.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the visitor cancelled it themselves.",
    )
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    notes_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start_at", "id"]
        indexes = [
            # The overlap re-check while booking and each associate's calendar.
            models.Index(fields=["associate", "status", "start_at"], name="booking_calendar_idx"),
            # The staff page's upcoming and past sessions.
            models.Index(fields=["status", "start_at"], name="booking_status_start_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "start_at"],
                condition=models.Q(status="booked"),
                name="booking_one_live_per_slot",
                violation_error_message="This time was just taken.",
            ),
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="booking_ends_after_it_starts",
                violation_error_message="A session must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} · {self.person} · {self.start_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_live(self) -> bool:
        return self.status == BookingStatus.BOOKED

    @property
    def blocked_from(self) -> dt.datetime:
        return self.start_at - dt.timedelta(minutes=self.buffer_before_minutes)

    @property
    def blocked_until(self) -> dt.datetime:
        return self.end_at + dt.timedelta(minutes=self.buffer_after_minutes)
