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
    video_link = models.URLField(
        blank=True,
        max_length=500,
        help_text="A video-meeting room (e.g. a Jitsi or Zoom link) sent with every booking.",
    )
    associates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Round robin: the associates who take this session. Visitors see the "
        "times any of them is free; each booking goes to the free one with the fewest "
        "recent sessions.",
    )

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
    answers = models.JSONField(
        default=list,
        blank=True,
        help_text="The intake questions as asked and the visitor's answers: "
        '[{"question": …, "answer": …}].',
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


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice"


class IntakeQuestion(models.Model):
    """A question a visitor answers when booking ``session_type``. The answer is kept on
    the booking with the question's words as asked, and on the person's timeline."""

    session_type = models.ForeignKey(
        SessionType, on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    choices = models.TextField(blank=True, help_text="For a choice: one option per line.")
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session_type", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class DateOverride(models.Model):
    """Different hours on one date (replacing the weekly hours of that day), or the whole
    date off when ``start_time`` is empty. Local to the associate's zone."""

    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_overrides"
    )
    day = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["associate", "day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="date_override_ends_after_it_starts",
                violation_error_message="Hours on a date must end after they start.",
            )
        ]

    def __str__(self) -> str:
        hours = "off" if self.is_off else f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        return f"{self.associate} · {self.day} {hours}"

    @property
    def is_off(self) -> bool:
        return self.start_time is None


class CalendarKind(models.TextChoices):
    CALDAV = "caldav", "CalDAV calendar"
    ICAL = "ical", "iCal busy feed (.ics link)"


class CalendarConnection(TimeStampedModel):
    """An associate's own calendar, read for busy times. The worker fetches it into
    ``BusyTime`` rows; booking pages read only those rows, never the remote server. A
    failed fetch keeps the last good rows and records why."""

    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendars"
    )
    kind = models.CharField(max_length=8, choices=CalendarKind.choices)
    name = models.CharField(max_length=100, blank=True)
    # Not a URLField: a calendar server on the office network (http://nextcloud/…) has a
    # one-word host name, which Django's URL validator refuses. calendars.normalise_url
    # checks the scheme and host instead.
    url = models.CharField(max_length=1000)
    username = models.CharField(max_length=200, blank=True)
    password_sealed = models.TextField(blank=True, help_text="Encrypted (core.sealed).")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    busy_count = models.PositiveIntegerField(default=0)
    refresh_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the queued refresh runs; empty if none."
    )

    class Meta:
        ordering = ["associate", "id"]

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def failing(self) -> bool:
        return bool(self.last_error)


class BusyTime(models.Model):
    """One busy interval of a connected calendar, in UTC (recurrences expanded)."""

    connection = models.ForeignKey(
        CalendarConnection, on_delete=models.CASCADE, related_name="busy_times"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()

    class Meta:
        ordering = ["start_at"]
        indexes = [models.Index(fields=["associate", "start_at"], name="busytime_associate_idx")]

    def __str__(self) -> str:
        return f"{self.start_at:%Y-%m-%d %H:%M}–{self.end_at:%H:%M} UTC"
