"""factory-boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from thrive.accounts.models import Associate
from thrive.commerce.models import Order, OrderLine, Product
from thrive.contacts.models import AcquisitionChannel, Organization, Person
from thrive.core.roles import Role


class AssociateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Associate
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"associate{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    role = Role.MEMBER
    password = factory.django.Password("correct-horse-battery-staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Café {n}")
    industry = "Hospitality"


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcquisitionChannel
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Customer"
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_seen_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=400))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"Single origin {n}")
    price = Decimal("18.00")


class OrderFactory(factory.django.DjangoModelFactory):
    """A raw order row (bypasses services): for read-side tests only."""

    class Meta:
        model = Order

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: f"N{n:06d}")
    total = Decimal("20.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    quantity = 1
    unit_price = Decimal("20.00")
    line_total = Decimal("20.00")
