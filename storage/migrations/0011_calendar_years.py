from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_enterprise_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarYear',
            fields=[
                ('year', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('holidays', fields.JSONField()),
                ('workdays', fields.JSONField()),
                ('source', fields.TextField(default='', unique=False)),
                ('imported_by', fields.CharField(default='', max_length=80)),
                ('imported_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_year', 'app': 'models', 'pk_attr': 'year', 'table_description': "A year's official holiday schedule as imported from the State Council's notice."},
            bases=['Model'],
        ),
    ]
