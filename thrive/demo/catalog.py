"""The demo business as data: Kettle & Crow Coffee Roasters, an invented specialty roaster.

Everything here is plain Python (no Django, no numpy) so the planner and the tests can
use it directly. All names, organizations and texts are invented for the demo; email
addresses use the reserved ``example.*`` domains and phone numbers the fictional 555-01xx
range, so a demo can never write to a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

BUSINESS_NAME = "Kettle & Crow Coffee Roasters"
BUSINESS_DOMAIN = "kettleandcrow.example"
# Where the roastery is: its hours, campaigns and the times shown to the team.
BUSINESS_TIME_ZONE = "America/Los_Angeles"
ORDER_PREFIX = "KC"
# Canadian prices are set per product rather than converted at checkout, like most shops.
CAD_PER_USD = 1.36


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    category: str
    price_cents: int  # USD
    kind: str  # coffee, cold_brew, grinder, dripper, filters, kettle, gear, drinkware, ...
    roast: str = ""  # light / medium / dark for coffee
    espresso: bool = False
    decaf: bool = False
    whole_bean: bool = False
    seasonal: bool = False  # only sold in November and December
    is_subscription: bool = False

    @property
    def cad_cents(self) -> int:
        if self.kind == "gift_card":
            return self.price_cents  # a 25-dollar card is a 25-dollar card in either currency
        dollars = -(-self.price_cents * CAD_PER_USD // 100)  # round up to whole dollars
        return int(dollars) * 100 - 1  # shelf prices end in .99


# (code, name, category, USD cents, roast, espresso, decaf, seasonal)
_COFFEES: list[tuple[str, str, str, int, str, bool, bool, bool]] = [
    ("ETH-GUJ", "Ethiopia Guji Natural", "Single origin", 2100, "light", False, False, False),
    ("ETH-YIR", "Ethiopia Yirgacheffe Washed", "Single origin", 2000, "light", False, False, False),
    ("KEN-NYE", "Kenya Nyeri AA", "Single origin", 2300, "light", False, False, False),
    ("RWA-NYA", "Rwanda Nyamasheke", "Single origin", 2050, "light", False, False, False),
    ("PAN-GES", "Panama Boquete Gesha", "Single origin", 3800, "light", False, False, False),
    ("COL-HUI", "Colombia Huila", "Single origin", 1800, "medium", False, False, False),
    ("GUA-HUE", "Guatemala Huehuetenango", "Single origin", 1850, "medium", False, False, False),
    ("CRI-TAR", "Costa Rica Tarrazu Honey", "Single origin", 1950, "medium", False, False, False),
    ("PER-CAJ", "Peru Cajamarca", "Single origin", 1700, "medium", False, False, False),
    ("BRA-CER", "Brazil Cerrado", "Single origin", 1600, "medium", False, False, False),
    ("SUM-LIN", "Sumatra Lintong", "Single origin", 1800, "dark", False, False, False),
    ("BLD-MRN", "Morning Tide House Blend", "Blend", 1600, "medium", False, False, False),
    ("BLD-HRT", "Hearthstone Dark Blend", "Blend", 1600, "dark", False, False, False),
    ("BLD-HOL", "Winter Lantern Holiday Blend", "Blend", 1900, "medium", False, False, True),
    ("ESP-EMB", "Ember Espresso", "Espresso", 1800, "dark", True, False, False),
    ("ESP-BRT", "Bright Side Espresso", "Espresso", 1900, "medium", True, False, False),
    ("DEC-COL", "Swiss Water Decaf Colombia", "Decaf", 1800, "medium", False, True, False),
    ("DEC-ESP", "Night Owl Decaf Espresso", "Decaf", 1900, "dark", True, True, False),
]

# (sku, name, category, USD cents, kind)
_OTHER: list[tuple[str, str, str, int, str]] = [
    ("KC-CB-PCK", "Cold Brew Pouches, 4-pack", "Cold brew", 1400, "cold_brew"),
    ("KC-CB-CON", "Cold Brew Concentrate, 32 oz", "Cold brew", 1800, "cold_brew"),
    ("KC-GR-HND", "Hand burr grinder", "Brewing gear", 8900, "grinder"),
    ("KC-GR-ELC", "Electric conical burr grinder", "Brewing gear", 15900, "grinder"),
    ("KC-DR-CER", "Ceramic pour-over dripper", "Brewing gear", 2800, "dripper"),
    ("KC-FL-100", "Paper filters, 100 count", "Filters", 900, "filters"),
    ("KC-KT-GSN", "Gooseneck kettle", "Brewing gear", 6500, "kettle"),
    ("KC-FP-800", "French press, 800 ml", "Brewing gear", 3900, "gear"),
    ("KC-SC-DIG", "Digital brew scale", "Brewing gear", 4500, "gear"),
    ("KC-MG-STN", "Stoneware mug", "Drinkware", 1800, "drinkware"),
    ("KC-TM-INS", "Insulated tumbler", "Drinkware", 3000, "drinkware"),
    ("KC-GC-025", "Gift card, $25", "Gift cards", 2500, "gift_card"),
    ("KC-GC-050", "Gift card, $50", "Gift cards", 5000, "gift_card"),
    ("KC-GC-100", "Gift card, $100", "Gift cards", 10000, "gift_card"),
    ("KC-WS-HSE", "Wholesale Morning Tide House Blend, 5 lb", "Wholesale", 5800, "wholesale"),
    ("KC-WS-ESP", "Wholesale Ember Espresso, 5 lb", "Wholesale", 6200, "wholesale"),
    ("KC-WS-DEC", "Wholesale Swiss Water Decaf, 5 lb", "Wholesale", 6400, "wholesale"),
    ("KC-WS-SOM", "Wholesale single origin of the month, 5 lb", "Wholesale", 7200, "wholesale"),
    ("KC-WS-CBC", "Wholesale cold brew concentrate, 1 gallon", "Wholesale", 4200, "wholesale"),
]

SUBSCRIPTION_PLANS: list[tuple[str, str, int, int]] = [
    # (sku, plan, USD cents a month, bags)
    ("KC-SUB-RC1", "Roaster's Choice — 1 bag a month", 2200, 1),
    ("KC-SUB-RC2", "Roaster's Choice — 2 bags a month", 4000, 2),
]


def _build_products() -> list[Product]:
    products: list[Product] = []
    for code, name, category, cents, roast, espresso, decaf, seasonal in _COFFEES:
        for whole_bean, suffix, label in ((True, "WB", "whole bean"), (False, "GR", "ground")):
            products.append(
                Product(
                    sku=f"KC-{code}-{suffix}",
                    name=f"{name}, {label}, 12 oz",
                    category=category,
                    price_cents=cents,
                    kind="coffee",
                    roast=roast,
                    espresso=espresso,
                    decaf=decaf,
                    whole_bean=whole_bean,
                    seasonal=seasonal,
                )
            )
    products.extend(Product(sku, name, cat, cents, kind) for sku, name, cat, cents, kind in _OTHER)
    products.extend(
        Product(
            sku, f"{plan} subscription", "Subscription", cents, "subscription", is_subscription=True
        )
        for sku, plan, cents, _ in SUBSCRIPTION_PLANS
    )
    return products


PRODUCTS: list[Product] = _build_products()
SKU_INDEX: dict[str, int] = {p.sku: i for i, p in enumerate(PRODUCTS)}

ROASTS = ["light", "medium", "dark"]
BREW_METHODS = ["pour-over", "espresso", "french press", "drip machine", "moka pot", "cold brew"]
# How likely someone brewing this way buys whole beans (and so, one day, a grinder).
WHOLE_BEAN_SHARE = [0.75, 0.92, 0.5, 0.3, 0.55, 0.4]

TAGS: list[tuple[str, str]] = [
    ("wholesale", "#7c3aed"),
    ("subscriber", "#2563eb"),
    ("espresso lover", "#92400e"),
    ("farmers market", "#15803d"),
    ("gift buyer", "#db2777"),
    ("decaf", "#6b7280"),
]

# (key, label, type, choices, help text)
CUSTOM_FIELDS: list[tuple[str, str, str, list[str], str]] = [
    ("favourite_roast", "Favourite roast", "choice", ROASTS, "What they tell us they like."),
    ("brew_method", "Brew method", "choice", BREW_METHODS, "How they brew at home."),
    ("birthday", "Birthday", "date", [], "A free bag in their birthday month."),
]


@dataclass(frozen=True, slots=True)
class Channel:
    slug: str
    name: str
    is_paid: bool
    weight: float  # share of first contacts, before seasonality and ramp-up
    signup: float  # chance a first contact signs up for the roast letter
    buy: float  # chance a first contact ever orders
    rate: float  # multiplier on the repeat-purchase rate
    in_store: float  # share of orders bought in person (market stall, café counter)
    cac_cents: int = 0  # spend per new customer on paid channels
    base_cents: int = 0  # monthly spend that does not scale with customers


CHANNELS: list[Channel] = [
    Channel("organic_search", "Organic search", False, 0.20, 0.42, 0.30, 1.0, 0.08),
    Channel("paid_search", "Paid search", True, 0.14, 0.38, 0.32, 0.9, 0.04, 4500, 12000),
    Channel("social_ads", "Social ads", True, 0.20, 0.33, 0.18, 0.7, 0.04, 3500, 15000),
    Channel("newsletter", "Newsletter & email", False, 0.07, 0.9, 0.34, 1.1, 0.10),
    Channel("referral", "Referral", False, 0.10, 0.55, 0.60, 1.35, 0.20),
    Channel("partner", "Partner café", False, 0.06, 0.45, 0.50, 1.3, 0.35),
    Channel("events", "Events & markets", True, 0.12, 0.40, 0.65, 1.0, 0.70, 6000, 4000),
    Channel("direct", "Direct", False, 0.11, 0.40, 0.40, 1.0, 0.20),
]
CHANNEL_INDEX: dict[str, int] = {c.slug: i for i, c in enumerate(CHANNELS)}
# Wholesale accounts (partner cafés, restaurants, offices) are won by the team's own sales
# calls and visits; kept out of CHANNELS, whose customers the plan draws.
SALES_CHANNEL = ("direct_sales", "Direct sales")

ACQUISITION_SOURCES: dict[str, list[str]] = {
    "organic_search": [
        "Search: fresh roasted coffee beans",
        "Search: light roast coffee",
        "Search: coffee roaster near me",
        "Brewing guide: pour-over ratios",
    ],
    "paid_search": [
        "Search ad: whole bean coffee",
        "Search ad: coffee gift",
        "Search ad: espresso beans",
    ],
    "social_ads": [
        "Social ad: new arrivals carousel",
        "Social ad: holiday gift guide",
        "Social ad: cold brew summer",
        "Social ad: subscription video",
    ],
    "newsletter": ["Newsletter giveaway", "Roast letter forwarded by a friend"],
    "referral": ["Friend referral"],
    "partner": ["Recommended by a partner café"],
    "events": [
        "Saturday farmers market",
        "Holiday makers market",
        "Coffee festival booth",
        "Cupping night at the roastery",
    ],
    "direct": ["", "Walked into the café", "Typed in the shop address"],
}

# A staff member: (first, last, username, role, job title, months after the start).
STAFF: list[tuple[str, str, str, str, str, int]] = [
    ("Maya", "Okafor", "maya", "owner", "Founder & owner", 0),
    ("Tom", "Reyes", "tom", "member", "Barista", 0),
    ("Priya", "Nair", "priya", "member", "Head roaster", 0),
    ("Luis", "Ortega", "luis", "member", "Wholesale manager", 2),
    ("Sam", "Whitaker", "sam", "read_only", "Bookkeeper", 3),
    ("Aisha", "Rahman", "aisha", "member", "Customer care", 6),
    ("Jonah", "Lindqvist", "jonah", "member", "Online shop & marketing", 9),
    ("Grace", "Mbeki", "grace", "member", "Café lead", 14),
]

# (city, region, country, time zone, area code, weight) — the roastery is in Portland.
HOME_CITIES: list[tuple[str, str, str, str, int, float]] = [
    ("Portland", "OR", "US", "America/Los_Angeles", 503, 0.55),
    ("Beaverton", "OR", "US", "America/Los_Angeles", 503, 0.1),
    ("Hillsboro", "OR", "US", "America/Los_Angeles", 503, 0.07),
    ("Lake Oswego", "OR", "US", "America/Los_Angeles", 503, 0.06),
    ("Gresham", "OR", "US", "America/Los_Angeles", 503, 0.06),
    ("Milwaukie", "OR", "US", "America/Los_Angeles", 503, 0.05),
    ("Vancouver", "WA", "US", "America/Los_Angeles", 360, 0.11),
]
US_CITIES: list[tuple[str, str, str, str, int, float]] = [
    ("Seattle", "WA", "US", "America/Los_Angeles", 206, 0.1),
    ("San Francisco", "CA", "US", "America/Los_Angeles", 415, 0.07),
    ("Los Angeles", "CA", "US", "America/Los_Angeles", 213, 0.08),
    ("San Diego", "CA", "US", "America/Los_Angeles", 619, 0.04),
    ("Sacramento", "CA", "US", "America/Los_Angeles", 916, 0.03),
    ("Boise", "ID", "US", "America/Boise", 208, 0.02),
    ("Salt Lake City", "UT", "US", "America/Denver", 801, 0.03),
    ("Denver", "CO", "US", "America/Denver", 303, 0.06),
    ("Phoenix", "AZ", "US", "America/Phoenix", 602, 0.04),
    ("Austin", "TX", "US", "America/Chicago", 512, 0.05),
    ("Minneapolis", "MN", "US", "America/Chicago", 612, 0.04),
    ("Chicago", "IL", "US", "America/Chicago", 312, 0.07),
    ("Madison", "WI", "US", "America/Chicago", 608, 0.02),
    ("Nashville", "TN", "US", "America/Chicago", 615, 0.03),
    ("Atlanta", "GA", "US", "America/New_York", 404, 0.04),
    ("Asheville", "NC", "US", "America/New_York", 828, 0.02),
    ("Raleigh", "NC", "US", "America/New_York", 919, 0.03),
    ("Washington", "DC", "US", "America/New_York", 202, 0.03),
    ("Philadelphia", "PA", "US", "America/New_York", 215, 0.04),
    ("New York", "NY", "US", "America/New_York", 212, 0.08),
    ("Boston", "MA", "US", "America/New_York", 617, 0.05),
    ("Portland", "ME", "US", "America/New_York", 207, 0.01),
]
CA_CITIES: list[tuple[str, str, str, str, int, float]] = [
    ("Vancouver", "BC", "CA", "America/Vancouver", 604, 0.35),
    ("Victoria", "BC", "CA", "America/Vancouver", 250, 0.1),
    ("Calgary", "AB", "CA", "America/Edmonton", 403, 0.12),
    ("Toronto", "ON", "CA", "America/Toronto", 416, 0.25),
    ("Ottawa", "ON", "CA", "America/Toronto", 613, 0.08),
    ("Montreal", "QC", "CA", "America/Toronto", 514, 0.1),
]
CITIES = HOME_CITIES + US_CITIES + CA_CITIES

FIRST_NAMES = """
Aaliyah Aaron Abigail Adam Adrian Ahmed Aiden Alejandro Alex Alice Amara Amelia Amir Ana
Andre Andrew Angela Anika Anna Anthony Aria Arjun Ava Beatriz Ben Bianca Brandon Brianna
Caleb Camila Carlos Caroline Carmen Chen Chloe Chris Claire Daniel Daniela David Deja Derek
Diana Diego Dmitri Elena Eli Elijah Elise Emily Emma Eric Esther Ethan Eva Fatima Felix
Fiona Gabriel Gemma George Grace Hana Hannah Hassan Hector Helen Henry Hiroshi Ian Imani
Ines Isaac Isabel Ivan Jack Jade James Jasmine Javier Jenna Jessica Jin Joanna Jordan Jose
Joseph Julia Julian Kai Karim Kate Keisha Kenji Kevin Kiara Laila Laura Leah Leo Liam Lina
Lucas Lucia Luke Madison Malik Marco Maria Mariam Mark Marta Mason Mateo Matt Mei Mia
Michael Miguel Mila Min Nadia Naomi Nathan Nia Nico Nina Noah Nora Olivia Omar Oscar Owen
Paolo Parker Paula Peter Quinn Rachel Rafael Rahul Rana Rebecca Riley Rosa Ruby Ryan Sadie
Salma Samuel Sara Sean Sebastian Selena Shira Simon Sofia Sophie Stella Stefan Tariq Tessa
Theo Tobias Valeria Victor Violet Wei Will Xavier Yara Yusuf Zara Zoe
""".split()

LAST_NAMES = """
Abbott Acosta Adeyemi Aguilar Ahmed Alvarez Andersen Arnold Bailey Baker Banerjee Barnes
Bauer Bell Bennett Berg Bishop Brooks Bryant Burke Campbell Carter Castillo Chan Chang
Chavez Choi Clarke Cohen Coleman Collins Cooper Cruz Das Davies Delgado Diaz Dubois Duncan
Edwards Ellis Eriksen Evans Farah Ferguson Fischer Fleming Flores Foster Fraser Fuentes
Garcia Gibson Gomez Gonzalez Gordon Graham Grant Gray Green Gupta Guzman Hall Hansen Harris
Hayes Henderson Hernandez Hill Hoang Holmes Hughes Hunt Ibrahim Ito Jackson James Jensen
Jimenez Johnson Jones Kaur Keller Kelly Khan Kim Klein Kowalski Kumar Lam Larsen Lee Lewis
Li Lim Lindgren Liu Lopez Lucero Ma Macdonald Mahmoud Marshall Martin Martinez Mendez
Mendoza Meyer Miller Mitchell Molina Moore Morales Moreno Morgan Muller Murphy Murray
Nakamura Navarro Nguyen Nielsen Novak Obi Oliveira Olsen Ortiz Owens Palmer Park Patel
Perez Perry Peters Petrov Phillips Pham Porter Powell Price Quinn Ramirez Ramos Reed
Reid Reyes Richards Rivera Roberts Robinson Rodriguez Rojas Romero Ross Russo Ryan Saito
Salazar Sanchez Santos Schmidt Scott Shah Shapiro Silva Simmons Singh Smith Sokolov Soto
Stewart Sullivan Suzuki Tan Tanaka Taylor Thomas Thompson Torres Tran Turner Vargas Vasquez
Vega Walker Wallace Wang Ward Watanabe Watson Weber White Williams Wilson Wong Wood Wright
Wu Yamamoto Yang Young Yusuf Zhang Zhou
""".split()

# Customers' addresses all live under reserved documentation domains.
EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]
# Each style keeps a separator, so two different names can never spell the same address.
EMAIL_STYLES = ["{f}.{l}", "{f}_{l}", "{i}.{l}"]


# Organization names are put together from invented parts.
def _words(text: str, sep: str = ",") -> list[str]:
    return [w.strip() for w in text.replace("\n", " ").split(sep)]


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in (w.split(":") for w in _words(text))]


_CAFE_FIRST = _words("""Little Sparrow,Copper Kettle,Blue Heron,Night Owl,Iron Gate,Juniper,
Foxglove,Tidewater,Red Door,Lantern,Wild Fern,Cedar Street,Old Mill,Moss & Stone,Salt Marsh,
Quiet Hour,Sunday Crow,Bramble,Hollow Oak,Paper Crane,Riverbend,Golden Hour,Woodsmoke,Nimbus,
Alder,Wren & Thistle,Larch,Pebble,Harbor Light,Thimble,Marigold,Ninth Street,Orchard,Bluebird,
Hazel,Driftwood,Tin Cup,Granite,Meadowlark,Lupine""")
# (kind of business, industry): cafés and restaurants pour our coffee, offices and shops
# serve it to their staff and customers.
_CAFE_KIND = _pairs("""Café:Café,Coffeehouse:Café,Espresso Bar:Café,Bakery & Coffee:Bakery,
Kitchen:Restaurant,Bistro:Restaurant,Diner:Restaurant,Co-working:Office,Design Studio:Office,
Dental Office:Office,Book Shop:Retail,Bike Shop:Retail""")
_VENDOR_FIRST = _words("""Altiplano,Rift Valley,Sierra Alta,Cordillera,Highland Cherry,
Equator Line,Volcán,Mountain Terrace,Cascade,Northwind,Keystone,Bridgeport,Summit,Silverline,
Harborview,Tall Pine,Clearwater,Riverstone,Westgate,Pioneer,Greenleaf,Ironwood,Blue Ridge,
Lakeshore""")
_VENDOR_KIND = _pairs("""Green Coffee Importers:Green coffee import,
Coffee Traders:Green coffee import,Packaging Co.:Packaging,Label & Print:Printing,
Roaster Service:Equipment service,Freight:Logistics,Dairy:Dairy supplier""")

PARTNER_TITLES = _words(
    """Owner|Café manager|Head barista|Purchasing lead|Chef-owner|
Office manager|General manager""",
    "|",
)
VENDOR_TITLES = _words(
    """Account manager|Sales representative|Green coffee trader|
Logistics coordinator|Service technician|Customer success lead""",
    "|",
)


def cafe_name(first: int, kind: int) -> tuple[str, str]:
    """Name and industry of a partner business from two indices (wrapped)."""
    k, industry = _CAFE_KIND[kind % len(_CAFE_KIND)]
    return f"{_CAFE_FIRST[first % len(_CAFE_FIRST)]} {k}", industry


def vendor_name(first: int, kind: int) -> tuple[str, str]:
    k, industry = _VENDOR_KIND[kind % len(_VENDOR_KIND)]
    return f"{_VENDOR_FIRST[first % len(_VENDOR_FIRST)]} {k}", industry


N_CAFE_NAMES = (len(_CAFE_FIRST), len(_CAFE_KIND))
N_VENDOR_NAMES = (len(_VENDOR_FIRST), len(_VENDOR_KIND))

# The wholesale pipeline: (name, position, probability, won, lost).
DEAL_STAGES: list[tuple[str, int, str, bool, bool]] = [
    ("Lead", 1, "0.100", False, False),
    ("Tasting booked", 2, "0.250", False, False),
    ("Proposal", 3, "0.500", False, False),
    ("Negotiation", 4, "0.700", False, False),
    ("Won", 5, "1.000", True, False),
    ("Lost", 6, "0.000", False, True),
]
DEAL_TOPICS = _words(
    """house espresso|filter coffee program|decaf and cold brew|
single origin rotation|office coffee|second location""",
    "|",
)

CONSENT_TEXT = {
    "web_form": "Yes, send me the Kettle & Crow roast letter: new coffees, brewing tips and "
    "occasional offers. I can unsubscribe at any time.",
    "checkout": "Email me about new roasts and offers (you can unsubscribe at any time).",
}
CONSENT_URL = {
    "web_form": f"https://{BUSINESS_DOMAIN}/roast-letter",
    "checkout": f"https://{BUSINESS_DOMAIN}/checkout",
}
# Documentation address blocks (RFC 5737): never a real visitor's address.
CONSENT_IP_PREFIXES = ["192.0.2", "198.51.100", "203.0.113"]

# Everything an associate (or an automation) does with a person, as one table the planner
# indexes: (key, kind, channel, direction, subject, minutes low, minutes high, associate).
# Minutes of 0 mean "no duration"; an empty associate means an automation did it.
# fmt: off
INTERACTIONS: list[tuple[str, str, str, str, str, int, int, str]] = [
    ("intro", "meeting", "in_person", "outbound", "Intro tasting at the roastery", 45, 75, "luis"),
    ("tasting", "meeting", "in_person", "outbound", "Cupping with the café team", 60, 120, "luis"),
    ("proposal", "email", "email", "outbound", "Wholesale proposal sent", 10, 20, "luis"),
    ("negotiation", "call", "phone", "outbound", "Pricing and delivery days", 15, 40, "luis"),
    ("won", "strategy_session", "in_person", "outbound", "Menu and volume plan", 45, 90, "maya"),
    ("review", "strategy_session", "video", "outbound", "Quarterly account review", 30, 60, "maya"),
    ("check_in", "call", "phone", "outbound", "Check-in: grinder and stock", 10, 25, "luis"),
    ("harvest", "call", "phone", "outbound", "Arrival dates of the new harvest", 15, 30, "priya"),
    ("cupping", "meeting", "in_person", "inbound", "Cupping arrival samples", 60, 120, "priya"),
    ("packaging", "call", "phone", "outbound", "Packaging reorder, lead times", 10, 25, "maya"),
    ("maintenance", "meeting", "in_person", "inbound", "Roaster maintenance", 90, 180, "priya"),
    ("price_note", "note", "", "internal", "Price list updated for next quarter", 0, 0, "maya"),
    ("support_grind", "support", "chat", "inbound", "Grind size for a French press?", 4, 12,
     "aisha"),
    ("support_where", "support", "email", "inbound", "Where is my order?", 5, 15, "aisha"),
    ("support_split", "support", "email", "inbound", "Bag arrived split; replaced", 8, 20, "aisha"),
    ("support_pause", "support", "chat", "inbound", "Pause deliveries: travelling", 3, 10, "aisha"),
    ("support_sour", "support", "phone", "inbound", "Sour espresso: dialling in", 10, 25, "tom"),
    ("support_address", "support", "email", "inbound", "New delivery address", 3, 8, "aisha"),
    ("note_market", "note", "", "internal", "Saturday market regular; loves naturals.", 0, 0,
     "tom"),
    ("note_gesha", "note", "", "internal", "Wants to hear when the Gesha is back.", 0, 0, "tom"),
    ("note_gifts", "note", "", "internal", "Buys gifts for the office each December.", 0, 0,
     "grace"),
    ("note_espresso", "note", "", "internal", "Home espresso; eyeing a grinder upgrade.", 0, 0,
     "tom"),
    ("welcome", "email", "email", "outbound", "Welcome to the Kettle & Crow roast letter", 0, 0,
     ""),
]
# fmt: on
INTERACTION_INDEX: dict[str, int] = {row[0]: i for i, row in enumerate(INTERACTIONS)}
VENDOR_INTERACTIONS = ["harvest", "cupping", "packaging", "maintenance", "price_note"]
SUPPORT_INTERACTIONS = [k for k, *_ in INTERACTIONS if k.startswith("support_")]
NOTE_INTERACTIONS = [k for k, *_ in INTERACTIONS if k.startswith("note_")]
STAFF_INDEX: dict[str, int] = {row[2]: i for i, row in enumerate(STAFF)}
