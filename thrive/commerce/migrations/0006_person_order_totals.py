"""Per-person order totals, kept exact by triggers on ``commerce_order``.

``commerce_personordertotals`` holds, for each person with a counted order (status in
``COUNTED_STATUSES``, the same set as ``REVENUE_STATUSES``; a test checks they agree),
how many and the sum of ``total - refunded``. The triggers never add deltas: they delete
the rows of the people a write touched and insert them again from a fresh
``GROUP BY person_id`` over those people's orders, so the table equals the aggregate after
every statement, whatever wrote it.

PostgreSQL: one statement-level AFTER trigger per event with its transition table(s), so an
import's COPY of 100,000 orders recomputes each touched person once. The touched people's
rows in ``contacts_person`` are locked first (in id order), so two transactions writing
one person's orders take turns and the second recomputes after the first's commit (READ
COMMITTED gives each statement of the function a new snapshot). TRUNCATE fires no DELETE
trigger: an AFTER TRUNCATE trigger empties the table. SQLite (one writer): row-level
triggers doing the same for OLD.person_id / NEW.person_id, the sum rounded to cents
(SQLite adds decimals as floats).

Person deletion: orders protect their person, so a person who is deleted has no counted
orders left and no row (Django's collector still deletes one, on_delete=CASCADE). The
table has no FK constraint: its rows come from orders, which have one, and checking each
re-inserted row cost a fifth of the triggers' time in an import.
"""

from django.db import migrations, models

# Frozen here (a migration must not change with the code); test_order_totals checks it
# against thrive.commerce.models.REVENUE_STATUSES and the installed triggers.
COUNTED_STATUSES = ("completed", "partially_refunded", "refunded")

TOTALS = "commerce_personordertotals"
_IN = ", ".join(f"'{status}'" for status in COUNTED_STATUSES)


def _recompute(people_sql: str, amount: str = "SUM(total - refunded)") -> str:
    """Delete the rows of ``people_sql``'s people and insert them again from their orders."""
    return f"""
        DELETE FROM {TOTALS} WHERE person_id IN ({people_sql});
        INSERT INTO {TOTALS} (person_id, orders_count, amount)
        SELECT person_id, COUNT(*), {amount} FROM commerce_order
        WHERE person_id IN ({people_sql}) AND status IN ({_IN})
        GROUP BY person_id;
    """


BACKFILL = f"""
    INSERT INTO {TOTALS} (person_id, orders_count, amount)
    SELECT person_id, COUNT(*), %s FROM commerce_order
    WHERE status IN ({_IN}) GROUP BY person_id
"""

POSTGRESQL = [
    f"""
    CREATE FUNCTION commerce_order_totals_refresh(people bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Writers of one person's orders take turns; the statements below then see
        -- the other's committed orders (READ COMMITTED: a new snapshot per statement).
        PERFORM 1 FROM contacts_person WHERE id = ANY(people) ORDER BY id
            FOR NO KEY UPDATE;
        {_recompute("SELECT unnest(people)")}
    END $$
    """,
    """
    CREATE FUNCTION commerce_order_totals_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM commerce_order_totals_refresh(
            ARRAY(SELECT DISTINCT person_id FROM new_orders));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION commerce_order_totals_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM commerce_order_totals_refresh(
            ARRAY(SELECT DISTINCT person_id FROM old_orders));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION commerce_order_totals_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Only rows whose person, status or money changed move a total (an update of
        -- the source or the date recomputes nobody).
        PERFORM commerce_order_totals_refresh(ARRAY(
            SELECT o.person_id FROM old_orders o JOIN new_orders n ON n.id = o.id
            WHERE (o.person_id, o.status, o.total, o.refunded)
                IS DISTINCT FROM (n.person_id, n.status, n.total, n.refunded)
            UNION
            SELECT n.person_id FROM old_orders o JOIN new_orders n ON n.id = o.id
            WHERE (o.person_id, o.status, o.total, o.refunded)
                IS DISTINCT FROM (n.person_id, n.status, n.total, n.refunded)));
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION commerce_order_totals_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TOTALS};
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER commerce_order_totals_insert AFTER INSERT ON commerce_order
    REFERENCING NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_order_totals_inserted()
    """,
    """
    CREATE TRIGGER commerce_order_totals_update AFTER UPDATE ON commerce_order
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_order_totals_updated()
    """,
    """
    CREATE TRIGGER commerce_order_totals_delete AFTER DELETE ON commerce_order
    REFERENCING OLD TABLE AS old_orders
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_order_totals_deleted()
    """,
    """
    CREATE TRIGGER commerce_order_totals_truncate AFTER TRUNCATE ON commerce_order
    FOR EACH STATEMENT EXECUTE FUNCTION commerce_order_totals_truncated()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS commerce_order_totals_insert ON commerce_order",
    "DROP TRIGGER IF EXISTS commerce_order_totals_update ON commerce_order",
    "DROP TRIGGER IF EXISTS commerce_order_totals_delete ON commerce_order",
    "DROP TRIGGER IF EXISTS commerce_order_totals_truncate ON commerce_order",
    "DROP FUNCTION IF EXISTS commerce_order_totals_inserted()",
    "DROP FUNCTION IF EXISTS commerce_order_totals_updated()",
    "DROP FUNCTION IF EXISTS commerce_order_totals_deleted()",
    "DROP FUNCTION IF EXISTS commerce_order_totals_truncated()",
    "DROP FUNCTION IF EXISTS commerce_order_totals_refresh(bigint[])",
]

_CENTS = "ROUND(SUM(total - refunded), 2)"
SQLITE = [
    f"""
    CREATE TRIGGER commerce_order_totals_insert AFTER INSERT ON commerce_order
    BEGIN {_recompute("NEW.person_id", _CENTS)} END
    """,
    f"""
    CREATE TRIGGER commerce_order_totals_update
    AFTER UPDATE OF person_id, status, total, refunded ON commerce_order
    BEGIN {_recompute("OLD.person_id, NEW.person_id", _CENTS)} END
    """,
    f"""
    CREATE TRIGGER commerce_order_totals_delete AFTER DELETE ON commerce_order
    BEGIN {_recompute("OLD.person_id", _CENTS)} END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS commerce_order_totals_insert",
    "DROP TRIGGER IF EXISTS commerce_order_totals_update",
    "DROP TRIGGER IF EXISTS commerce_order_totals_delete",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements, amount = POSTGRESQL, "SUM(total - refunded)"
    elif vendor == "sqlite":
        statements, amount = SQLITE, _CENTS
    else:
        raise NotImplementedError(f"No order-totals triggers for {vendor}.")
    for sql in statements:
        schema_editor.execute(sql)
    schema_editor.execute(BACKFILL % amount)


def uninstall(apps, schema_editor):
    drop = POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in drop:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0005_deal_next_step_lost_reason_order"),
        ("contacts", "0012_activity_recent_and_associate_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonOrderTotals",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        db_constraint=False,
                        primary_key=True,
                        related_name="order_totals",
                        serialize=False,
                        to="contacts.person",
                    ),
                ),
                ("orders_count", models.PositiveIntegerField()),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["amount", "person"], name="order_totals_amount_idx"),
                    models.Index(fields=["orders_count", "person"], name="order_totals_count_idx"),
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
