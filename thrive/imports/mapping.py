"""Which column of a file becomes which Thrive field: suggestions, presets, ``--map`` text.

A mapping is a dict from the file's header to a Thrive field name. Suggestions compare
normalised headers ("E-mail Address" → "emailaddress") with each field's aliases; the
built-in presets cover exports people bring most often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import ImportKind


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


PERSON_FIELDS = (
    Field("email", "Email", ("email", "emailaddress", "mail", "e-mail", "customeremail"), True,
          "Dedupe key: a row whose email is already known updates that person."),
    Field("first_name", "First name", ("firstname", "first", "givenname", "forename", "fname")),
    Field("last_name", "Last name", ("lastname", "last", "surname", "familyname", "lname")),
    Field("full_name", "Full name (split at the last space)", ("name", "fullname", "contact",
          "contactname", "customername", "billingname")),
    Field("phone", "Phone", ("phone", "phonenumber", "mobile", "tel", "telephone", "cell")),
    Field("organization", "Organization", ("company", "organization", "organisation",
          "companyname", "employer", "business")),
    Field("job_title", "Job title", ("jobtitle", "title", "position", "role")),
    Field("stage", "Lifecycle stage", ("stage", "lifecyclestage"),
          help="suspect, prospect, client, advocate or lost."),
    Field("acquisition_source", "Acquisition source", ("source", "leadsource", "utmsource",
          "acquisitionsource", "referrer")),
    Field("first_seen_at", "First seen", ("createdat", "created", "signupdate", "datecreated",
          "firstseen", "optintime", "subscribedat", "joined")),
    Field("country", "Country (code or English name)", ("country", "countrycode"),
          help="US, USA or United States all become US."),
    Field("region", "Region", ("region", "state", "province", "county")),
    Field("city", "City", ("city", "town")),
    Field("time_zone", "Time zone", ("timezone", "tz")),
    Field("email_consent", "Email marketing consent", ("acceptsmarketing", "acceptsemailmarketing",
          "emailconsent", "optin", "subscribed", "newsletter", "marketingconsent"),
          help="yes/true/1/subscribed records consent (method: imported)."),
    Field("consent_at", "Consent given at", ("confirmtime", "consentdate", "optindate")),
    Field("tags", "Tags", ("tags", "tag", "labels", "groups"),
          help="Names separated by commas or semicolons; undo removes them again."),
)  # fmt: skip

ORGANIZATION_FIELDS = (
    Field("name", "Name", ("name", "company", "organization", "organisation", "companyname"),
          True, "Dedupe key: a row whose name is already known (any case) updates it."),
    Field("domain", "Domain", ("domain", "emaildomain")),
    Field("website", "Website", ("website", "url", "web", "homepage")),
    Field("industry", "Industry", ("industry", "sector")),
    Field("employees", "Employees", ("employees", "headcount", "size", "numberofemployees")),
    Field("country", "Country (code or English name)", ("country", "countrycode")),
    Field("city", "City", ("city", "town")),
)  # fmt: skip

ORDER_FIELDS = (
    Field("order_number", "Order number", ("ordernumber", "order", "orderid", "name", "orderno",
          "ordername", "number", "invoice", "invoicenumber"), True,
          "Rows with the same number are lines of one order."),
    Field("email", "Customer email", ("email", "customeremail", "billingemail", "emailaddress"),
          True, "Finds or creates the customer; needed on an order's first row."),
    Field("ordered_at", "Order date", ("createdat", "orderdate", "date", "paidat", "ordered",
          "ordertime", "processedat"), True),
    Field("currency", "Currency", ("currency", "currencycode")),
    Field("status", "Status", ("financialstatus", "status", "paymentstatus", "orderstatus"),
          help="paid/completed, pending, refunded, partially_refunded, voided/cancelled."),
    Field("refunded", "Refunded amount", ("refundedamount", "refunded", "refund", "refunds")),
    Field("channel", "Sales channel", ("channel", "saleschannel", "source")),
    Field("quantity", "Quantity", ("lineitemquantity", "quantity", "qty", "units")),
    Field("unit_price", "Unit price", ("lineitemprice", "unitprice", "price", "itemprice"), True),
    Field("discount", "Line discount", ("lineitemdiscount", "discount", "linediscount")),
    Field("sku", "SKU", ("lineitemsku", "sku", "productsku", "itemsku")),
    Field("description", "Item", ("lineitemname", "product", "productname", "item",
          "description", "itemname")),
    Field("first_name", "Customer first name", ("billingfirstname", "firstname")),
    Field("last_name", "Customer last name", ("billinglastname", "lastname")),
    Field("full_name", "Customer name", ("billingname", "customername", "customer")),
)  # fmt: skip

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.PEOPLE: PERSON_FIELDS,
    ImportKind.ORGANIZATIONS: ORGANIZATION_FIELDS,
    ImportKind.ORDERS: ORDER_FIELDS,
}

# Exports people bring most often, header → field (headers compared after normalising).
PRESETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "shopify-orders": (
        ImportKind.ORDERS,
        "A shop's orders export (one row per line item, Shopify style)",
        {
            "Name": "order_number", "Email": "email", "Created at": "ordered_at",
            "Currency": "currency", "Financial Status": "status",
            "Refunded Amount": "refunded", "Lineitem quantity": "quantity",
            "Lineitem price": "unit_price", "Lineitem discount": "discount",
            "Lineitem sku": "sku", "Lineitem name": "description", "Billing Name": "full_name",
        },
    ),
    "contacts-spreadsheet": (
        ImportKind.PEOPLE,
        "A spreadsheet of contacts",
        {
            "Email": "email", "First name": "first_name", "Last name": "last_name",
            "Phone": "phone", "Company": "organization", "Job title": "job_title",
            "City": "city", "Country": "country", "Notes source": "acquisition_source",
        },
    ),
    "newsletter-list": (
        ImportKind.PEOPLE,
        "A newsletter tool's subscriber list (Mailchimp style)",
        {
            "Email Address": "email", "First Name": "first_name", "Last Name": "last_name",
            "OPTIN_TIME": "first_seen_at", "CONFIRM_TIME": "consent_at",
            "COUNTRY": "country", "REGION": "region", "Subscribed": "email_consent",
        },
    ),
}  # fmt: skip


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def fields_for(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def suggest_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Guess each header's field; each field is taken once, by the first header that fits."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = normalise_header(header)
        for f in FIELDS[kind]:
            if f.name not in taken and (key == normalise_header(f.name) or key in f.aliases):
                mapping[header] = f.name
                taken.add(f.name)
                break
    return mapping


def apply_preset(kind: str, preset: str, headers: list[str]) -> dict[str, str]:
    """The preset's mapping for the headers this file has (compared after normalising)."""
    if preset not in PRESETS:
        raise ValueError(f"{preset!r} is not a preset; use one of {', '.join(PRESETS)}.")
    preset_kind, _, wanted = PRESETS[preset]
    if preset_kind != kind:
        raise ValueError(f"The {preset!r} preset is for {preset_kind}, not {kind}.")
    by_key = {normalise_header(h): f for h, f in wanted.items()}
    return {h: by_key[normalise_header(h)] for h in headers if normalise_header(h) in by_key}


def parse_map_option(text: str) -> dict[str, str]:
    """``"E-mail=email,First=first_name"`` → ``{"E-mail": "email", "First": "first_name"}``."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        header, sep, field = part.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise ValueError(f"{part!r} is not HEADER=field.")
        mapping[header.strip()] = field.strip()
    return mapping


def check_mapping(kind: str, headers: list[str], mapping: dict[str, str]) -> list[str]:
    """Every problem with ``mapping`` for a file with ``headers``, as sentences (empty = ok)."""
    problems: list[str] = []
    known = {f.name: f for f in FIELDS[kind]}
    used: dict[str, str] = {}
    for header, field in mapping.items():
        if not field:
            continue
        if header not in headers:
            problems.append(f"The file has no column {header!r}.")
        if field not in known:
            problems.append(f"{field!r} is not a field of {kind}: use {', '.join(known)}.")
        elif field in used:
            problems.append(f"Both {used[field]!r} and {header!r} map to {field}.")
        used[field] = header
    for f in FIELDS[kind]:
        if f.required and f.name not in used:
            if f.name == "email" and kind == ImportKind.PEOPLE:
                problems.append("Map a column to email: it is how people are matched.")
            else:
                problems.append(f"Map a column to {f.name} ({f.label}).")
    return problems
