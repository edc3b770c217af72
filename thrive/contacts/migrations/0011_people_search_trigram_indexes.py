"""Trigram indexes for the people search on PostgreSQL (pg_trgm).

The search is ``icontains`` on first name, last name and email, which Django sends to
PostgreSQL as ``UPPER(column::text) LIKE UPPER('%word%')``: no B-tree can answer a
leading wildcard, so every search read the whole table (214 ms at 100,000 people, most of
it in the UPPER calls; bench/WORKSPACE.md). A GIN index of the trigrams of the same
``UPPER(column)`` expression answers it from the index (`people_matching` asks one column
at a time so each arm uses its index).

PostgreSQL only, and outside the model state on purpose: SQLite has no such index (its
search keeps the path measured in bench/WORKSPACE.md), and keeping them out of
``Meta.indexes`` keeps ``makemigrations --check`` clean on both databases. pg_trgm ships
with PostgreSQL (the contrib package) and is a trusted extension, so the database's owner
may create it.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def _name(column: str) -> str:
    return f"person_{column}_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(column)} ON contacts_person "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0010_custom_field_sensitive"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
