"""The `demo` tenant: a Sydney facility-maintenance business (plumbing, electrical, HVAC).

Deterministic: no wall clock and a fixed random seed, so every load gives the same
records, ids, numbers and timestamps. History runs from January to 20 November 2026:
tax types and the catalogue first, customers through the year, then 40 invoices
from August (oldest mostly paid, newest still drafts).

Built to exercise the sync, not only to look right: two customers share an email
(one strata manager, two buildings), two have no email, one invoice line is free
text, one fee is GST free, and a few issued invoices are part paid.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from localdev.loc8.schemas import (
    AddressIn,
    CustomerIn,
    InvoiceIn,
    InvoiceLineIn,
    LineItemIn,
    PaymentIn,
    TaxTypeIn,
)
from localdev.loc8.tenant import TenantState

DEMO_TENANT_ID = "demo"
DEMO_BUSINESS_NAME = "Harbour City Facility Services Pty Ltd"
SEED_AS_OF = date(2026, 11, 20)
_RANDOM_SEED = 20261120
_AEST = timedelta(hours=10)  # Sydney winter/spring offset is close enough for a demo

TAX_TYPES = (
    ("GST", "GST on Income", "10.00"),
    ("GST_FREE", "GST Free Income", "0.00"),
    ("BAS_EXCLUDED", "BAS Excluded", "0.00"),
)

# code, name, description, unit price, tax type, account
LINE_ITEMS = (
    (
        "LAB-STD",
        "Labour - standard rate",
        "Licensed tradesperson per hour, Mon-Fri 7am-5pm",
        "118.00",
        "GST",
        "200",
    ),
    (
        "LAB-AH",
        "Labour - after hours",
        "Per hour, evenings, weekends and public holidays",
        "177.00",
        "GST",
        "200",
    ),
    (
        "LAB-APP",
        "Labour - apprentice",
        "Apprentice per hour, working with a tradesperson",
        "72.00",
        "GST",
        "200",
    ),
    (
        "CALLOUT",
        "Call-out fee",
        "Includes travel and the first 15 minutes on site",
        "95.00",
        "GST",
        "200",
    ),
    (
        "CALLOUT-AH",
        "Call-out fee - after hours",
        "Emergency attendance outside business hours",
        "185.00",
        "GST",
        "200",
    ),
    ("MAT-PVC100", "PVC DWV pipe 100 mm (per metre)", None, "16.50", "GST", "210"),
    ("MAT-CU15", "Copper tube 15 mm (per metre)", None, "24.80", "GST", "210"),
    ("MAT-CARTRIDGE", "Mixer tap ceramic cartridge", None, "68.00", "GST", "210"),
    (
        "MAT-HWS250",
        "Electric hot water system 250 L",
        "Supply only; installation billed as labour",
        "1489.00",
        "GST",
        "210",
    ),
    ("MAT-RCD", "RCD safety switch (2-pole)", None, "145.00", "GST", "210"),
    ("MAT-GPO", "Double power point (GPO)", None, "38.50", "GST", "210"),
    ("MAT-LED", "LED downlight 10 W, dimmable", None, "32.00", "GST", "210"),
    ("MAT-R32", "Refrigerant R32 (per kg)", "Split system re-gas", "95.00", "GST", "210"),
    ("MAT-SMOKE", "Smoke alarm 240 V, interconnectable", None, "89.00", "GST", "210"),
    (
        "FEE-BACKFLOW",
        "Backflow test lodgement fee",
        "Sydney Water lodgement, passed on at cost",
        "41.25",
        "GST_FREE",
        "260",
    ),
)


@dataclass(frozen=True)
class _Customer:
    name: str
    email: str | None
    phone: str
    line1: str
    city: str
    postcode: str
    site: tuple[str, str, str] | None = None  # line1, city, postcode of the job site
    commercial: bool = True


CUSTOMERS = (
    _Customer(
        "Harbourview Strata Management",
        "accounts@harbourview-strata.example",
        "02 5550 0101",
        "Level 3, 88 Pitt Street",
        "Sydney",
        "2000",
    ),
    _Customer(
        "Harbourview Strata - SP 51234, 12 Bay Street",
        "accounts@harbourview-strata.example",
        "02 5550 0101",
        "Level 3, 88 Pitt Street",
        "Sydney",
        "2000",
        site=("12 Bay Street", "Double Bay", "2028"),
    ),
    _Customer(
        "Bondi Beach Cafe Pty Ltd",
        "hello@bondibeachcafe.example",
        "02 5550 0117",
        "140 Campbell Parade",
        "Bondi Beach",
        "2026",
    ),
    _Customer(
        "St Brigid's Primary School",
        "office@stbrigids-coogee.example",
        "02 5550 0123",
        "21 Arden Street",
        "Coogee",
        "2034",
    ),
    _Customer(
        "Northside Medical Centre",
        "practice.manager@northsidemedical.example",
        "02 5550 0131",
        "45 Falcon Street",
        "Crows Nest",
        "2065",
    ),
    _Customer(
        "Parramatta Dental Group",
        "admin@parramattadental.example",
        "02 5550 0139",
        "2/160 Church Street",
        "Parramatta",
        "2150",
    ),
    _Customer(
        "Coastal Realty Property Management",
        "maintenance@coastalrealty.example",
        "02 5550 0142",
        "9 Anzac Parade",
        "Maroubra",
        "2035",
        site=("3/27 Marine Parade", "Maroubra", "2035"),
    ),
    _Customer(
        "Greenway Childcare Centre",
        "director@greenwaychildcare.example",
        "02 5550 0150",
        "5 Defries Avenue",
        "Zetland",
        "2017",
    ),
    _Customer(
        "The Rocks Heritage Hotel",
        "facilities@rocksheritagehotel.example",
        "02 5550 0158",
        "61 George Street",
        "The Rocks",
        "2000",
    ),
    _Customer(
        "Marrickville Brewing Co.",
        "brewery@marrickvillebrewing.example",
        "02 5550 0163",
        "14 Sydenham Road",
        "Marrickville",
        "2204",
    ),
    _Customer(
        "Inner West Bowling Club",
        "secretary@innerwestbowls.example",
        "02 5550 0171",
        "1 Marion Street",
        "Leichhardt",
        "2040",
    ),
    _Customer(
        "Chatswood Fitness Hub",
        "ops@chatswoodfitness.example",
        "02 5550 0178",
        "Shop 4, 370 Victoria Avenue",
        "Chatswood",
        "2067",
    ),
    _Customer(
        "Lane Cove Aged Care",
        "maintenance@lanecoveagedcare.example",
        "02 5550 0184",
        "88 Longueville Road",
        "Lane Cove",
        "2066",
    ),
    _Customer(
        "Summit Office Tower Owners Corporation",
        "bm@summittower.example",
        "02 5550 0192",
        "100 Miller Street",
        "North Sydney",
        "2060",
    ),
    _Customer(
        "Penrith Central Retail Management",
        "centre.management@penrithcentral.example",
        "02 5550 0197",
        "585 High Street",
        "Penrith",
        "2750",
    ),
    _Customer(
        "Cronulla Surf Life Saving Club",
        "admin@cronullaslsc.example",
        "02 5550 0203",
        "Kingsway",
        "Cronulla",
        "2230",
    ),
    _Customer(
        "Ryde Automotive Workshop",
        "service@rydeauto.example",
        "02 5550 0209",
        "7 Parkes Street",
        "Ryde",
        "2112",
    ),
    _Customer(
        "Manly Wharf Bar & Kitchen",
        "manager@manlywharfbar.example",
        "02 5550 0214",
        "East Esplanade",
        "Manly",
        "2095",
    ),
    _Customer(
        "Sarah Nguyen",
        "sarah.nguyen@mail.example",
        "0491 570 110",
        "17 Homebush Road",
        "Strathfield",
        "2135",
        commercial=False,
    ),
    _Customer(
        "James O'Connor",
        "jim.oconnor@mail.example",
        "0491 570 118",
        "4 Frenchmans Road",
        "Randwick",
        "2031",
        commercial=False,
    ),
    _Customer(
        "Priya Patel",
        "priya.patel@mail.example",
        "0491 570 125",
        "32 Showground Road",
        "Castle Hill",
        "2154",
        commercial=False,
    ),
    _Customer(
        "Michael and Anna Rossi",
        "rossi.family@mail.example",
        "0491 570 133",
        "9 Great North Road",
        "Five Dock",
        "2046",
        commercial=False,
    ),
    _Customer(
        "David Chen",
        "d.chen@mail.example",
        "0491 570 141",
        "56 Beecroft Road",
        "Epping",
        "2121",
        commercial=False,
    ),
    _Customer(
        "Emma Whitfield",
        None,
        "0491 570 147",
        "12 Darling Street",
        "Balmain",
        "2041",
        commercial=False,
    ),
    _Customer(
        "Liam Walsh", None, "0491 570 156", "23 Main Street", "Blacktown", "2148", commercial=False
    ),
)

# Job templates: (reference prefix, lines as (item code or free text, quantity choices, price))
_Line = tuple[str, tuple[str, ...], str | None]
JOBS: tuple[tuple[str, tuple[_Line, ...]], ...] = (
    (
        "Leaking mixer tap",
        (
            ("CALLOUT", ("1",), None),
            ("LAB-STD", ("1", "1.5"), None),
            ("MAT-CARTRIDGE", ("1", "2"), None),
        ),
    ),
    (
        "Hot water system replacement",
        (
            ("LAB-STD", ("3", "3.5"), None),
            ("LAB-APP", ("3", "3.5"), None),
            ("MAT-HWS250", ("1",), None),
            ("MAT-CU15", ("2", "3"), None),
            ("Removal and disposal of old hot water unit", ("1",), "45.00"),
        ),
    ),
    (
        "Blocked sewer line",
        (
            ("CALLOUT", ("1",), None),
            ("LAB-STD", ("2", "2.5", "3"), None),
            ("MAT-PVC100", ("3", "6", "9"), None),
        ),
    ),
    (
        "RCD and power point upgrade",
        (
            ("CALLOUT", ("1",), None),
            ("LAB-STD", ("2", "3"), None),
            ("MAT-RCD", ("1",), None),
            ("MAT-GPO", ("2", "3", "4"), None),
        ),
    ),
    (
        "LED lighting retrofit",
        (
            ("LAB-STD", ("3", "4"), None),
            ("LAB-APP", ("3", "4"), None),
            ("MAT-LED", ("8", "12", "16"), None),
        ),
    ),
    (
        "Split system service and re-gas",
        (
            ("LAB-STD", ("1.5", "2"), None),
            ("MAT-R32", ("0.5", "1", "1.5"), None),
        ),
    ),
    (
        "After-hours burst pipe",
        (
            ("CALLOUT-AH", ("1",), None),
            ("LAB-AH", ("1.5", "2", "2.5"), None),
            ("MAT-CU15", ("1", "2"), None),
        ),
    ),
    (
        "Annual backflow test",
        (
            ("LAB-STD", ("1",), None),
            ("FEE-BACKFLOW", ("1",), None),
        ),
    ),
    (
        "Smoke alarm compliance",
        (
            ("LAB-STD", ("1", "1.5"), None),
            ("MAT-SMOKE", ("2", "3", "4"), None),
        ),
    ),
)

INVOICE_COUNT = 40
DRAFT_COUNT = 8
PAID_COUNT = 15
PART_PAID_COUNT = 3


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Sydney business-hours moment on `day`, in UTC."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    return local - _AEST


def _customer_in(customer: _Customer) -> CustomerIn:
    addresses = [
        AddressIn(
            kind="billing",
            line1=customer.line1,
            city=customer.city,
            region="NSW",
            postcode=customer.postcode,
        )
    ]
    if customer.site is not None:
        line1, city, postcode = customer.site
        addresses.append(
            AddressIn(kind="site", line1=line1, city=city, region="NSW", postcode=postcode)
        )
    return CustomerIn(
        name=customer.name, email=customer.email, phone=customer.phone, addresses=addresses
    )


def load_demo(tenant: TenantState) -> None:
    """Fill an empty tenant with the demo business's history."""
    rng = random.Random(_RANDOM_SEED)
    start = date(2026, 1, 12)

    for code, name, rate in TAX_TYPES:
        tenant.create_tax_type(
            TaxTypeIn(code=code, name=name, rate=Decimal(rate)), at=_at(start, 9)
        )
    items: dict[str, str] = {}
    for index, (code, name, description, price, tax, account) in enumerate(LINE_ITEMS):
        item = tenant.create_line_item(
            LineItemIn(
                code=code,
                name=name,
                description=description,
                unit_price=Decimal(price),
                tax_type_code=tax,
                account_code=account,
            ),
            at=_at(start, 9, 5 + index),
        )
        items[code] = item.id
    customers: list[tuple[str, _Customer]] = []
    for index, customer in enumerate(CUSTOMERS):
        created = tenant.create_customer(
            _customer_in(customer), at=_at(start + timedelta(days=14 + 6 * index), 11)
        )
        customers.append((created.id, customer))
    # Prices went up on 1 July, so the catalogue has history and versions above 1.
    for code, new_price in (("LAB-STD", "124.00"), ("CALLOUT", "99.00")):
        item = tenant.line_items[items[code]]
        raised = item.fields.model_copy(update={"unit_price": Decimal(new_price)})
        tenant.update_line_item(item.id, raised, item.version, at=_at(date(2026, 7, 1), 8))

    _load_invoices(tenant, rng, customers, items)


def _load_invoices(
    tenant: TenantState,
    rng: random.Random,
    customers: list[tuple[str, _Customer]],
    items: dict[str, str],
) -> None:
    first_day = date(2026, 8, 3)
    span_days = (SEED_AS_OF - first_day).days - 1
    issued_span = INVOICE_COUNT - DRAFT_COUNT
    paid = set(rng.sample(range(issued_span - 6), PAID_COUNT))
    part_paid = set(rng.sample(sorted(set(range(issued_span)) - paid), PART_PAID_COUNT))
    # Events are applied in time order so updated_at follows the business's history.
    events: list[tuple[datetime, int, Callable[[], None]]] = []

    for number in range(INVOICE_COUNT):
        issue_day = first_day + timedelta(days=number * span_days // (INVOICE_COUNT - 1))
        customer_id, customer = customers[rng.randrange(len(customers))]
        job_name, job_lines = JOBS[rng.randrange(len(JOBS))]
        lines = []
        for code_or_text, quantities, price in job_lines:
            item_id = items.get(code_or_text)
            item = tenant.line_items[item_id] if item_id else None
            lines.append(
                InvoiceLineIn(
                    line_item_id=item_id,
                    description=item.fields.name if item else code_or_text,
                    quantity=Decimal(rng.choice(quantities)),
                    unit_price=item.fields.unit_price if item else Decimal(price or "0"),
                    tax_type_code=item.fields.tax_type_code if item else "GST",
                )
            )
        draft = InvoiceIn(
            customer_id=customer_id,
            reference=f"JOB-{4812 + number} {job_name}",
            issue_date=issue_day,
            due_date=issue_day + timedelta(days=30 if customer.commercial else 14),
            status="draft" if number >= issued_span else "issued",
            lines=lines,
        )
        created_at = _at(issue_day, 16, number % 60)
        invoice_id = tenant.new_id("inv")
        events.append((created_at, 0, _adder(tenant, draft, invoice_id, created_at)))
        if number in paid or number in part_paid:
            paid_day = min(issue_day + timedelta(days=rng.randint(2, 24)), SEED_AS_OF)
            events.append(
                (
                    _at(paid_day, 10, number % 60),
                    1,
                    _payer(tenant, invoice_id, paid_day, number, full=number in paid),
                )
            )

    for _at_time, _order, apply in sorted(events, key=lambda event: (event[0], event[1])):
        apply()


def _adder(
    tenant: TenantState, draft: InvoiceIn, invoice_id: str, at: datetime
) -> Callable[[], None]:
    def add() -> None:
        tenant.add_invoice(draft, invoice_id=invoice_id, at=at)

    return add


def _payer(
    tenant: TenantState, invoice_id: str, paid_day: date, number: int, *, full: bool
) -> Callable[[], None]:
    def pay() -> None:
        invoice = tenant.invoices[invoice_id]
        amount = invoice.amount_due if full else (invoice.total / 2).quantize(Decimal("0.01"))
        at = _at(paid_day, 10, number % 60)
        tenant.record_payment(
            invoice_id,
            PaymentIn(
                app="loc8",
                external_id=f"rcpt-{7001 + number}",
                amount=amount,
                paid_on=paid_day,
                reference="EFT" if number % 3 else "Card",
            ),
            at=at,
        )
        if full:
            tenant.set_status(invoice_id, "paid", invoice.version, at=at)

    return pay
