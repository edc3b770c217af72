"""Segments now belong to the segments app, which keeps this table (contacts_segment)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0004_fk_indexes_covered_by_composites'),
        ('segments', '0001_initial'),
        ('outreach', '0004_campaign_segment_in_segments_app'),
        ('voice', '0003_survey_segment_in_segments_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Segment')],
            database_operations=[],
        ),
    ]
