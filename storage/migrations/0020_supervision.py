from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Supervision grades and figures. Open cases get a next check in the past, so the first sweep
# after the upgrade reads each once, grades it and dates its next check; from then on the
# sweep reads only the cases whose day has come.
PAST = "2000-01-01"


async def check_open_cases_once(apps, schema_editor):
    application = apps.get_model("models", "Application")
    await application.filter(state__in=["submitted", "in_review"]).using_db(schema_editor.client).update(
        next_check_on=PAST)


class Migration(migrations.Migration):
    dependencies = [('models', '0017_missing_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Application',
            name='grade',
            field=fields.SmallIntField(default=0, db_default=0, db_index=True),
        ),
        ops.AddField(
            model_name='Application',
            name='window',
            field=fields.CharField(null=True, max_length=80),
        ),
        ops.AddField(
            model_name='Application',
            name='next_check_on',
            field=fields.DateField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='red_card',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddIndex(model_name='Application', index=Index(fields=('grade',), name='application_grade')),
        ops.AddIndex(model_name='Application', index=Index(fields=('next_check_on',), name='application_next_check_on')),
        ops.CreateModel(
            name='SupervisionCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('department', fields.CharField(max_length=64)),
                ('window', fields.CharField(default='', max_length=80)),
                ('thing', fields.CharField(max_length=64)),
                ('item', fields.CharField(default='', max_length=64)),
                ('fact', fields.CharField(max_length=24)),
                ('bucket', fields.IntField(default=0)),
                ('n', fields.IntField(default=0)),
            ],
            options={'table': 'supervision_count', 'app': 'models', 'unique_together': (('day', 'department', 'window', 'thing', 'item', 'fact', 'bucket'),), 'pk_attr': 'id', 'table_description': None},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupervisionFact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='supervision_facts', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('department', fields.CharField(max_length=64)),
                ('window', fields.CharField(default='', max_length=80)),
                ('thing', fields.CharField(max_length=64)),
                ('item', fields.CharField(default='', max_length=64)),
                ('fact', fields.CharField(max_length=24)),
                ('bucket', fields.IntField(default=0)),
            ],
            options={'table': 'supervision_fact', 'app': 'models', 'indexes': [Index(fields=['fact', 'day'])], 'pk_attr': 'id', 'table_description': None},
            bases=['Model'],
        ),
        ops.RunPython(check_open_cases_once, ops.RunPython.noop),
    ]
