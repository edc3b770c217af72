# Joins three changes made side by side: rate counters to core, send jobs on the job kit, surveys pointing at the segments app.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('voice', '0003_rate_counters_moved_to_core'),
        ('voice', '0003_sendjob_on_the_job_kit'),
        ('voice', '0003_survey_segment_in_segments_app'),
    ]

    operations = [
    ]
