"""Products, orders, subscriptions, marketing spend and the deal pipeline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.contacts.models import AcquisitionChannel, Organization, Person
from thrive.core.models import TimeStampedModel
from thrive.core.money import currency_field, money_field


class Product(TimeStampedModel):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=120, blank=True)
    price = money_field(default=Decimal("0.00"))
    currency = currency_field(default="USD")
    is_subscription = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message="A price cannot be negative.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    VOIDED = "voided", "Voided"


# Orders whose money the business kept (net of refunds) count as revenue.
REVENUE_STATUSES = frozenset(
    {OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
)


class SalesChannel(models.TextChoices):
    ONLINE = "online", "Online shop"
    IN_STORE = "in_store", "In store"
    WHOLESALE = "wholesale", "Wholesale"
    SUBSCRIPTION = "subscription", "Subscription"
    MARKETPLACE = "marketplace", "Marketplace"
    PHONE = "phone", "Phone"
    OTHER = "other", "Other"


class Order(TimeStampedModel):
    """A purchase. ``total`` is the sum of its lines; ``refunded`` what was paid back.

    Revenue of an order is ``total - refunded`` unless it was voided.
    """

    # Indexed by order_person_idx, which leads with it.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    number = models.CharField(max_length=64, unique=True, help_text="The shop's order number.")
    ordered_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    channel = models.CharField(
        max_length=16, choices=SalesChannel.choices, default=SalesChannel.ONLINE
    )
    currency = currency_field(default="USD")
    total = money_field(default=Decimal("0.00"))
    refunded = money_field(default=Decimal("0.00"))
    source = models.CharField(max_length=32, blank=True, help_text="manual, import, api, demo…")

    class Meta:
        ordering = ["-ordered_at", "-id"]
        indexes = [
            # Per-customer summaries (frequency, recency, spend) group orders by person.
            models.Index(fields=["person", "ordered_at"], name="order_person_idx"),
            # Revenue by month and channel on the dashboard.
            models.Index(fields=["ordered_at", "status"], name="order_date_idx"),
            # Segment rules on money spent and number of orders: "id IN (SELECT person_id
            # … GROUP BY person_id HAVING SUM(total - refunded) >= …)" reads only this
            # index, never the table (about a third less time at 160,000 orders).
            models.Index(
                fields=["person", "status", "total", "refunded"], name="order_person_amount_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0),
                name="order_total_not_negative",
                violation_error_message="Order totals cannot be negative; record refunds instead.",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded__gte=0) & models.Q(refunded__lte=models.F("total")),
                name="order_refund_within_total",
                violation_error_message="A refund must be between zero and the order total.",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.number}"

    @property
    def net_revenue(self) -> Decimal:
        if self.status == OrderStatus.VOIDED:
            return Decimal("0.00")
        return self.total - self.refunded


class PersonOrderTotals(models.Model):
    """How many counted orders a person has and what they spent, kept exact by the database.

    One row per person with at least one order in ``REVENUE_STATUSES``: ``orders_count``
    of them and ``amount`` = the sum of ``total - refunded`` over them (what the
    ``orders_count``/``orders_amount`` segment rules mean). Nobody else has a row; their
    figures are zero.

    Never written by Python. Triggers on ``commerce_order`` (migration
    ``0006_person_order_totals``) recompute the rows of every person a statement touched
    from the orders themselves, so each way orders are written (the ORM, ``update``,
    imports' COPY, merges, raw SQL) keeps it right and it cannot drift by a delta.
    """

    # No foreign-key constraint: every row comes from orders, whose own constraint holds
    # the person, and a person with orders cannot be deleted; checking it again cost an
    # order import about a fifth of the triggers' time.
    person = models.OneToOneField(
        Person,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="order_totals",
        db_constraint=False,
    )
    orders_count = models.PositiveIntegerField()
    amount = money_field()

    class Meta:
        indexes = [
            # "Spent at least X", "N or more orders": an index-only range scan each, the
            # person beside the figure so the rule's IN (…) never reads the table.
            models.Index(fields=["amount", "person"], name="order_totals_amount_idx"),
            models.Index(fields=["orders_count", "person"], name="order_totals_count_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.orders_count} orders, {self.amount}"


class PersonProduct(models.Model):
    """Which products a person bought, and when first and last, kept exact by the database.

    One row per person and product with at least one line in an order whose status is
    kept (``product_segment_fields.KEPT``: completed, partially refunded): ``first_at``
    and ``last_at`` are the earliest and latest ``ordered_at`` of those orders. The
    "bought a product / category" segment rules read it through an index instead of
    joining every order line to its order per count.

    Never written by Python. Triggers on ``commerce_orderline`` and ``commerce_order``
    (migration ``0007_person_products``) recompute the rows of every person a statement
    touched from the lines and orders themselves, like :class:`PersonOrderTotals`.
    """

    # No foreign-key constraints, as for the totals: every row comes from lines and
    # orders whose own constraints hold the person and product, and neither can be
    # deleted while it has kept lines.
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="products_bought",
        db_constraint=False,
        db_index=False,  # the unique (person, product) index leads with it
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="buyers",
        db_constraint=False,
        db_index=False,  # both indexes below lead with it
    )
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index the triggers' "delete this person's rows" uses.
            models.UniqueConstraint(fields=["person", "product"], name="person_product_unique"),
        ]
        indexes = [
            # "Bought ever": products in X, first bought up to now; index-only.
            models.Index(fields=["product", "first_at", "person"], name="person_product_first_idx"),
            # "Bought in the last N days": products in X, last bought from now - N on.
            models.Index(fields=["product", "last_at", "person"], name="person_product_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} bought {self.product_id}: {self.first_at}..{self.last_at}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = money_field()
    discount = money_field(default=Decimal("0.00"))
    line_total = money_field(help_text="quantity × unit price − discount")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0) & models.Q(discount__gte=0),
                name="order_line_amounts_not_negative",
                violation_error_message="Prices and discounts cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="order_line_quantity_positive",
                violation_error_message="A line needs a quantity of at least one.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description or self.sku}"


class Subscription(TimeStampedModel):
    """Recurring revenue: a monthly amount from ``started_on`` until ``ended_on``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subscriptions")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    plan = models.CharField(max_length=120)
    monthly_amount = money_field()
    currency = currency_field(default="USD")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="subscription_ends_after_start",
                violation_error_message="A subscription cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gt=0),
                name="subscription_amount_positive",
                violation_error_message="A subscription needs a positive monthly amount.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} for {self.person_id}"

    def is_active_on(self, day: object) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)  # type: ignore[operator]


class MarketingSpend(models.Model):
    """What was spent on an acquisition channel in one month (the CAC numerator)."""

    channel = models.ForeignKey(AcquisitionChannel, on_delete=models.PROTECT, related_name="spend")
    month = models.DateField(help_text="The first day of the month.")
    amount = money_field()
    currency = currency_field(default="USD")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-month", "channel"]
        verbose_name_plural = "marketing spend"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "month", "currency"],
                name="spend_once_per_channel_month",
                violation_error_message="Spend for this channel and month is already recorded.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="spend_not_negative",
                violation_error_message="Spend cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.month:%Y-%m}: {self.amount} {self.currency}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Use the first day of the month."})


class DealStage(models.Model):
    """A step of the sales pipeline, with the default probability of closing from it."""

    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField()
    probability = models.DecimalField(max_digits=4, decimal_places=3)
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=1),
                name="deal_stage_probability_range",
                violation_error_message="Probability must be between 0 and 1.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Deal(TimeStampedModel):
    title = models.CharField(max_length=200)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    stage = models.ForeignKey(DealStage, on_delete=models.PROTECT, related_name="deals")
    value = money_field()
    currency = currency_field(default="USD")
    probability = models.DecimalField(
        max_digits=4, decimal_places=3, null=True, blank=True, help_text="Overrides the stage's."
    )
    expected_close = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # What happens next, and the owner's task that carries its due date.
    next_step = models.CharField(max_length=200, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    next_step_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lost_reason = models.CharField(max_length=200, blank=True)
    # The order a won deal became; one-to-one so a deal is never ordered twice.
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal"
    )

    class Meta:
        ordering = ["expected_close", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0),
                name="deal_value_not_negative",
                violation_error_message="A deal's value cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(probability__isnull=True)
                | (models.Q(probability__gte=0) & models.Q(probability__lte=1)),
                name="deal_probability_range",
                violation_error_message="Probability must be between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weighted_value(self) -> Decimal:
        probability = self.probability if self.probability is not None else self.stage.probability
        return (self.value * probability).quantize(Decimal("0.01"))


class LostReason(models.Model):
    """A reason the owner offers when a deal is lost (free text is accepted as well)."""

    label = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class DealStageChange(models.Model):
    """One move of a deal along the pipeline (its first stage included), with who moved it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_history")
    from_stage = models.ForeignKey(
        DealStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Blank when the deal was created.",
    )  # fmt: skip
    to_stage = models.ForeignKey(DealStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deal", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id or '—'} → {self.to_stage_id}"
