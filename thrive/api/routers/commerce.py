"""Products, orders (with lines and refunds), subscriptions and deals.

Orders, refunds, voids, subscriptions and deals go through the commerce services (the
same ones the workspace pages use). Products have no service in commerce (plain
validated records), so they are validated with the model's own rules after the role check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field

from thrive.commerce import services
from thrive.commerce.models import (
    Deal,
    DealStage,
    Order,
    OrderStatus,
    Product,
    SalesChannel,
    Subscription,
)
from thrive.contacts.models import Organization, Person
from thrive.core.money import parse_amount

from ..errors import ApiError
from ..pagination import PageQuery, page_of, paginate
from ..types import ERRORS, Id, Text, actor
from .organizations import save_validated

router = Router(tags=["commerce"])

Amount = Text  # money travels as a decimal string, e.g. "12.50"


def _person(pk: int, field: str = "person_id") -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ApiError(422, f"There is no person {pk}.", field)
    return person


# -- products ---------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    currency: str
    is_subscription: bool
    active: bool


class ProductIn(Schema):
    sku: Text = Field(..., min_length=1, max_length=64)
    name: Text = Field(..., min_length=1, max_length=200)
    category: Text = Field("", max_length=120)
    price: Amount = Field("0.00", max_length=20)
    currency: Text = Field("USD", max_length=3)
    is_subscription: bool = False
    active: bool = True


class ProductPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=200)
    category: Text | None = Field(None, max_length=120)
    price: Amount | None = Field(None, max_length=20)
    active: bool | None = None


@router.get("/products", response={200: page_of(ProductOut), **ERRORS})
def list_products(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Product.objects.all(), page)


@router.post("/products", response={201: ProductOut, **ERRORS})
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    fields = payload.dict()
    fields["price"] = parse_amount(payload.price, field="price")
    return Status(201, save_validated(Product(**fields), who=actor(request)))


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def get_product(request: HttpRequest, product_id: Id) -> Product:
    return get_object_or_404(Product, pk=product_id)


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def update_product(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Product:
    product = get_object_or_404(Product, pk=product_id)
    for name, value in payload.dict(exclude_unset=True).items():
        if value is None:
            raise ApiError(422, "This field cannot be null.", name)
        setattr(product, name, parse_amount(value, field="price") if name == "price" else value)
    return save_validated(product, who=actor(request))


# -- orders -----------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    product_id: int | None
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal


class OrderOut(Schema):
    id: int
    person_id: int
    number: str
    ordered_at: dt.datetime
    status: str
    channel: str
    currency: str
    total: Decimal
    refunded: Decimal
    source: str
    lines: list[LineOut]


class LineIn(Schema):
    quantity: int = Field(..., ge=1, le=1_000_000)
    unit_price: Amount = Field(..., max_length=20)
    sku: Text = Field("", max_length=64)
    description: Text = Field("", max_length=255)
    discount: Amount = Field("0", max_length=20)


class OrderIn(Schema):
    person_id: Id
    number: Text = Field(..., min_length=1, max_length=64)
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)
    ordered_at: AwareDatetime | None = None
    currency: Text = Field("USD", max_length=3)
    channel: SalesChannel = SalesChannel.ONLINE


class RefundIn(Schema):
    amount: Amount = Field(..., max_length=20)


class VoidIn(Schema):
    reason: Text = Field("", max_length=2000)


class OrderFilter(Schema):
    person: Id | None = None
    status: OrderStatus | None = None


def _orders() -> Any:
    return Order.objects.prefetch_related("lines")


@router.get("/orders", response={200: page_of(OrderOut), **ERRORS})
def list_orders(request: HttpRequest, page: Query[PageQuery], filters: Query[OrderFilter]) -> Any:
    orders = _orders()
    if filters.person:
        orders = orders.filter(person_id=filters.person)
    if filters.status:
        orders = orders.filter(status=filters.status)
    return paginate(request, orders, page)


@router.post("/orders", response={201: OrderOut, **ERRORS})
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    """Record a completed order; a first order makes the person a client."""
    order = services.record_order(
        _person(payload.person_id), actor=actor(request), number=payload.number,
        lines=[services.LineInput(**line.dict()) for line in payload.lines],
        ordered_at=payload.ordered_at, currency=payload.currency, channel=payload.channel,
        source="api",
    )  # fmt: skip
    return Status(201, get_object_or_404(_orders(), pk=order.pk))


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def get_order(request: HttpRequest, order_id: Id) -> Order:
    return get_object_or_404(_orders(), pk=order_id)


@router.post("/orders/{order_id}/refunds", response={201: OrderOut, **ERRORS})
def refund_order(request: HttpRequest, order_id: Id, payload: RefundIn) -> Any:
    order = get_object_or_404(Order, pk=order_id)
    services.refund_order(order, payload.amount, actor=actor(request))
    return Status(201, get_object_or_404(_orders(), pk=order_id))


@router.post("/orders/{order_id}/void", response={200: OrderOut, **ERRORS})
def void_order(request: HttpRequest, order_id: Id, payload: VoidIn) -> Order:
    order = get_object_or_404(Order, pk=order_id)
    services.void_order(order, actor=actor(request), reason=payload.reason)
    return get_object_or_404(_orders(), pk=order_id)


# -- subscriptions ----------------------------------------------------------------------


class SubscriptionOut(Schema):
    id: int
    person_id: int
    product_id: int | None
    plan: str
    monthly_amount: Decimal
    currency: str
    started_on: dt.date
    ended_on: dt.date | None
    cancel_reason: str


class SubscriptionIn(Schema):
    person_id: Id
    plan: Text = Field(..., min_length=1, max_length=120)
    monthly_amount: Amount = Field(..., max_length=20)
    started_on: dt.date
    currency: Text = Field("USD", max_length=3)
    product_id: Id | None = None


class SubscriptionEnd(Schema):
    ended_on: dt.date
    reason: Text = Field("", max_length=255)


@router.get("/subscriptions", response={200: page_of(SubscriptionOut), **ERRORS})
def list_subscriptions(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, Subscription.objects.all(), page)


@router.post("/subscriptions", response={201: SubscriptionOut, **ERRORS})
def start_subscription(request: HttpRequest, payload: SubscriptionIn) -> Any:
    product = None
    if payload.product_id is not None:
        product = Product.objects.filter(pk=payload.product_id).first()
        if product is None:
            raise ApiError(422, f"There is no product {payload.product_id}.", "product_id")
    subscription = services.start_subscription(
        _person(payload.person_id), actor=actor(request), plan=payload.plan,
        monthly_amount=payload.monthly_amount, started_on=payload.started_on,
        currency=payload.currency, product=product,
    )  # fmt: skip
    return Status(201, subscription)


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS})
def get_subscription(request: HttpRequest, subscription_id: Id) -> Subscription:
    return get_object_or_404(Subscription, pk=subscription_id)


@router.post("/subscriptions/{subscription_id}/end", response={200: SubscriptionOut, **ERRORS})
def end_subscription(
    request: HttpRequest, subscription_id: Id, payload: SubscriptionEnd
) -> Subscription:
    subscription = get_object_or_404(Subscription, pk=subscription_id)
    return services.end_subscription(
        subscription, actor=actor(request), ended_on=payload.ended_on, reason=payload.reason
    )


# -- deals ------------------------------------------------------------------------------


class DealOut(Schema):
    id: int
    title: str
    person_id: int | None
    organization_id: int | None
    owner_id: int | None
    stage_id: int
    stage: str
    value: Decimal
    currency: str
    probability: Decimal | None
    weighted_value: Decimal
    expected_close: dt.date | None
    closed_at: dt.datetime | None
    # What happens next and by when (the owner's task carries the due date), why a lost
    # deal was lost, and the order a won deal became.
    next_step: str
    next_step_due: dt.date | None
    lost_reason: str
    order_id: int | None

    @staticmethod
    def resolve_stage(obj: Deal) -> str:
        return obj.stage.name


class DealIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    stage_id: Id
    value: Amount = Field(..., max_length=20)
    currency: Text = Field("USD", max_length=3)
    person_id: Id | None = None
    organization_id: Id | None = None
    probability: Decimal | None = Field(None, ge=0, le=1, max_digits=4, decimal_places=3)
    expected_close: dt.date | None = None


class DealPatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=200)
    stage_id: Id | None = None
    value: Amount | None = Field(None, max_length=20)
    probability: Decimal | None = Field(None, ge=0, le=1, max_digits=4, decimal_places=3)
    expected_close: dt.date | None = None
    # Required when moving to a lost stage.
    lost_reason: Text | None = Field(None, max_length=200)
    # A new next step becomes a task for the deal's owner, due on next_step_due.
    next_step: Text | None = Field(None, max_length=200)
    next_step_due: dt.date | None = None


def _deal_stage(pk: int) -> DealStage:
    stage = DealStage.objects.filter(pk=pk).first()
    if stage is None:
        raise ApiError(422, f"There is no deal stage {pk}.", "stage_id")
    return stage


def _deals() -> Any:
    return Deal.objects.select_related("stage")


@router.get("/deals", response={200: page_of(DealOut), **ERRORS})
def list_deals(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(request, _deals(), page)


@router.post("/deals", response={201: DealOut, **ERRORS})
def create_deal(request: HttpRequest, payload: DealIn) -> Any:
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None:
            raise ApiError(422, f"There is no organization {payload.organization_id}.",
                           "organization_id")  # fmt: skip
    deal = services.save_deal(
        actor=actor(request), title=payload.title, stage=_deal_stage(payload.stage_id),
        value=payload.value, currency=payload.currency,
        person=_person(payload.person_id) if payload.person_id else None,
        organization=organization, owner=actor(request), probability=payload.probability,
        expected_close=payload.expected_close,
    )  # fmt: skip
    return Status(201, get_object_or_404(_deals(), pk=deal.pk))


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def get_deal(request: HttpRequest, deal_id: Id) -> Deal:
    return get_object_or_404(_deals(), pk=deal_id)


@router.patch("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def update_deal(request: HttpRequest, deal_id: Id, payload: DealPatch) -> Deal:
    """Move a deal along the pipeline or change it; a won or lost stage closes it."""
    deal = get_object_or_404(_deals(), pk=deal_id)
    fields = payload.dict(exclude_unset=True)
    for name in ("title", "stage_id", "value"):
        if name in fields and fields[name] is None:
            raise ApiError(422, "This field cannot be null.", name)
    changes: dict[str, Any] = {
        name: fields[name]
        for name in (
            "title",
            "value",
            "probability",
            "expected_close",
            "lost_reason",
            "next_step",
            "next_step_due",
        )
        if name in fields
    }
    if "stage_id" in fields:
        changes["stage"] = _deal_stage(fields["stage_id"])
    # The stage history, and closing a deal at a won or lost stage, are the service's.
    services.save_deal(deal, actor=actor(request), **changes)
    return get_object_or_404(_deals(), pk=deal_id)
