"""Per-person products bought, kept exact by triggers on order lines and orders.

``commerce_personproduct`` holds, for each person and product with a line in a kept order
(status in ``KEPT_STATUSES``, the same set as ``product_segment_fields.KEPT``; a test
checks they agree), the first and last ``ordered_at`` of those orders. Like the order
totals (``0006``), the triggers never apply deltas: they delete the rows of the people a
write touched and insert them again from a fresh ``GROUP BY`` over those people's lines
joined to their orders, so the table equals the aggregate after every statement.

PostgreSQL: statement-level AFTER triggers with transition tables on ``commerce_orderline``
(insert, update, delete) and ``commerce_order`` (update of person, status or date; delete),
the touched people locked in id order first as in ``0006``; AFTER TRUNCATE on either table
empties the summary (every row comes from lines). An order's insert needs no trigger: it
has no lines yet. A line deleted after its order (raw SQL, deferred constraints) finds no
order: the order's own delete already recomputed its person. SQLite (one writer):
row-level triggers doing the same for the old and new person.
"""

from django.db import migrations, models
import django.db.models.deletion

# Frozen here (a migration must not change with the code); test_person_products checks it
# against thrive.commerce.product_segment_fields.KEPT and the installed triggers.
KEPT_STATUSES = ("completed", "partially_refunded")

SUMMARY = "commerce_personproduct"
_IN = ", ".join(f"'{status}'" for status in KEPT_STATUSES)

_AGGREGATE = f"""
    SELECT o.person_id, l.product_id, MIN(o.ordered_at), MAX(o.ordered_at)
    FROM commerce_orderline l JOIN commerce_order o ON o.id = l.order_id
    WHERE o.status IN ({_IN}) AND l.product_id IS NOT NULL {{people}}
    GROUP BY o.person_id, l.product_id
"""


def _recompute(people_sql: str) -> str:
    """Delete the rows of ``people_sql``'s people and insert them again from their lines."""
    aggregate = _AGGREGATE.format(people=f"AND o.person_id IN ({people_sql})")
    return f"""
        DELETE FROM {SUMMARY} WHERE person_id IN ({people_sql});
        INSERT INTO {SUMMARY} (person_id, product_id, first_at, last_at) {aggregate};
    """


BACKFILL = f"INSERT INTO {SUMMARY} (person_id, product_id, first_at, last_at) " + _AGGREGATE.format(
    people=""
)

# The people of a transition table of lines: their orders' people (an order deleted in the
# same transaction before its lines is already recomputed by the order's trigger).
_LINE_PEOPLE = """
    SELECT o.person_id FROM {lines} x JOIN commerce_order o ON o.id = x.order_id
    WHERE x.product_id IS NOT NULL
"""
_ORDER_CHANGED = """
    FROM old_orders o JOIN new_orders n ON n.id = o.id
    WHERE (o.person_id, o.status, o.ordered_at) IS DISTINCT FROM
          (n.person_id, n.status, n.ordered_at)
"""


def _pg_function(name: str, people_sql: str) -> str:
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM commerce_person_products_refresh(ARRAY({people_sql}));
        RETURN NULL;
    END $$
    """


POSTGRESQL = [
    f"""
    CREATE FUNCTION commerce_person_products_refresh(people bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF cardinality(people) = 0 THEN
            RETURN;
        END IF;
        -- Writers of one person's orders take turns; the statements below then see
        -- the other's committed rows (READ COMMITTED: a new snapshot per statement).
        PERFORM 1 FROM contacts_person WHERE id = ANY(people) ORDER BY id
            FOR NO KEY UPDATE;
        {_recompute("SELECT unnest(people)")}
    END $$
    """,
    _pg_function(
        "commerce_person_products_lines_inserted",
        _LINE_PEOPLE.format(lines="new_lines") + f" AND o.status IN ({_IN}) GROUP BY 1",
    ),
    _pg_function(
        "commerce_person_products_lines_updated",
        # Only lines whose order or product changed move a summary row.
        _LINE_PEOPLE.format(lines="old_lines")
        + " AND EXISTS (SELECT 1 FROM new_lines n WHERE n.id = x.id"
        " AND (n.order_id, n.product_id) IS DISTINCT FROM (x.order_id, x.product_id))"
        " UNION "
        + _LINE_PEOPLE.format(lines="new_lines")
        + " AND EXISTS (SELECT 1 FROM old_lines p WHERE p.id = x.id"
        " AND (p.order_id, p.product_id) IS DISTINCT FROM (x.order_id, x.product_id))",
    ),
    _pg_function(
        "commerce_person_products_lines_deleted",
        _LINE_PEOPLE.format(lines="old_lines") + " GROUP BY 1",
    ),
    _pg_function(
        "commerce_person_products_orders_updated",
        f"SELECT o.person_id {_ORDER_CHANGED} UNION SELECT n.person_id {_ORDER_CHANGED}",
    ),
    _pg_function(
        "commerce_person_products_orders_deleted",
        "SELECT DISTINCT person_id FROM old_orders",
    ),
    f"""
    CREATE FUNCTION commerce_person_products_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {SUMMARY};
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER commerce_person_products_line_insert AFTER INSERT ON commerce_orderline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_lines_inserted()
    """,
    """
    CREATE TRIGGER commerce_person_products_line_update AFTER UPDATE ON commerce_orderline
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_lines_updated()
    """,
    """
    CREATE TRIGGER commerce_person_products_line_delete AFTER DELETE ON commerce_orderline
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_lines_deleted()
    """,
    """
    CREATE TRIGGER commerce_person_products_line_truncate AFTER TRUNCATE ON commerce_orderline
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_truncated()
    """,
    """
    CREATE TRIGGER commerce_person_products_order_update AFTER UPDATE ON commerce_order
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_orders_updated()
    """,
    """
    CREATE TRIGGER commerce_person_products_order_delete AFTER DELETE ON commerce_order
    REFERENCING OLD TABLE AS old_orders
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_orders_deleted()
    """,
    """
    CREATE TRIGGER commerce_person_products_order_truncate AFTER TRUNCATE ON commerce_order
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_person_products_truncated()
    """,
]

POSTGRESQL_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS commerce_person_products_{name} ON {table}"
        for name, table in [
            ("line_insert", "commerce_orderline"),
            ("line_update", "commerce_orderline"),
            ("line_delete", "commerce_orderline"),
            ("line_truncate", "commerce_orderline"),
            ("order_update", "commerce_order"),
            ("order_delete", "commerce_order"),
            ("order_truncate", "commerce_order"),
        ]
    ),
    *(
        f"DROP FUNCTION IF EXISTS commerce_person_products_{name}()"
        for name in [
            "lines_inserted",
            "lines_updated",
            "lines_deleted",
            "orders_updated",
            "orders_deleted",
            "truncated",
        ]
    ),
    "DROP FUNCTION IF EXISTS commerce_person_products_refresh(bigint[])",
]

_ORDER_OF = "SELECT person_id FROM commerce_order WHERE id = {}.order_id"
SQLITE = [
    f"""
    CREATE TRIGGER commerce_person_products_line_insert AFTER INSERT ON commerce_orderline
    WHEN NEW.product_id IS NOT NULL
    BEGIN {_recompute(_ORDER_OF.format("NEW"))} END
    """,
    f"""
    CREATE TRIGGER commerce_person_products_line_update
    AFTER UPDATE OF order_id, product_id ON commerce_orderline
    BEGIN {_recompute(_ORDER_OF.format("OLD") + " UNION " + _ORDER_OF.format("NEW"))} END
    """,
    f"""
    CREATE TRIGGER commerce_person_products_line_delete AFTER DELETE ON commerce_orderline
    WHEN OLD.product_id IS NOT NULL
    BEGIN {_recompute(_ORDER_OF.format("OLD"))} END
    """,
    f"""
    CREATE TRIGGER commerce_person_products_order_update
    AFTER UPDATE OF person_id, status, ordered_at ON commerce_order
    BEGIN {_recompute("OLD.person_id, NEW.person_id")} END
    """,
    f"""
    CREATE TRIGGER commerce_person_products_order_delete AFTER DELETE ON commerce_order
    BEGIN {_recompute("OLD.person_id")} END
    """,
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS commerce_person_products_{name}"
    for name in ["line_insert", "line_update", "line_delete", "order_update", "order_delete"]
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRESQL
    elif vendor == "sqlite":
        statements = SQLITE
    else:
        raise NotImplementedError(f"No person-products triggers for {vendor}.")
    for sql in statements:
        schema_editor.execute(sql)
    schema_editor.execute(BACKFILL)


def uninstall(apps, schema_editor):
    drop = POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in drop:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0006_person_order_totals"),
        ("contacts", "0012_activity_recent_and_associate_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonProduct",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_at", models.DateTimeField()),
                ("last_at", models.DateTimeField()),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="products_bought",
                        to="contacts.person",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="buyers",
                        to="commerce.product",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["product", "first_at", "person"], name="person_product_first_idx"
                    ),
                    models.Index(
                        fields=["product", "last_at", "person"], name="person_product_last_idx"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person", "product"), name="person_product_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
