"""Signing secrets were stored in clear; from now on they are kept encrypted with a key
derived from SECRET_KEY (thrive.webhooks.vault). Existing rows are sealed in place."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from thrive.webhooks.vault import seal

    Subscription = apps.get_model("webhooks", "WebhookSubscription")
    for row in Subscription.objects.only("pk", "encrypted_secret").iterator():
        Subscription.objects.filter(pk=row.pk).update(encrypted_secret=seal(row.encrypted_secret))


def unseal_existing(apps, schema_editor):
    from thrive.webhooks.vault import unseal

    Subscription = apps.get_model("webhooks", "WebhookSubscription")
    for row in Subscription.objects.only("pk", "encrypted_secret").iterator():
        Subscription.objects.filter(pk=row.pk).update(encrypted_secret=unseal(row.encrypted_secret))


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0001_subscriptions_deliveries_cursor"),
    ]

    operations = [
        migrations.RenameField(
            model_name="webhooksubscription",
            old_name="secret",
            new_name="encrypted_secret",
        ),
        migrations.AlterField(
            model_name="webhooksubscription",
            name="encrypted_secret",
            field=models.CharField(
                help_text="The signing secret, encrypted with a key from SECRET_KEY.",
                max_length=400,
            ),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
