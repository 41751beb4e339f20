from django.db import migrations, models

import integrations.models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='connection',
            name='field_prefix',
            field=models.CharField(blank=True, default=integrations.models.default_field_prefix, help_text='Admin connection: API-name prefix of our custom fields in this org (may be empty).', max_length=20),
        ),
    ]
