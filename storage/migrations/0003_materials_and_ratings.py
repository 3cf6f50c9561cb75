from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_cases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='evaluation', on_delete=OnDelete.CASCADE)),
                ('score', fields.SmallIntField()),
                ('comment', fields.TextField(default='', unique=False)),
                ('follow_up_due_on', fields.DateField(null=True)),
                ('follow_up_closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The one rating of a case by its applicant (好差评, GB/T 39734: one case, one rating).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MaterialFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('material', fields.CharField(db_index=True, max_length=64)),
                ('object_key', fields.CharField(unique=True, max_length=255)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('content_type', fields.CharField(max_length=64)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('verified', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'material_file', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A document a citizen uploaded: once a window has accepted it, it is verified and reusable.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttachedMaterial',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='materials', on_delete=OnDelete.CASCADE)),
                ('material', fields.CharField(max_length=64)),
                ('file', fields.ForeignKeyField('models.MaterialFile', source_field='file_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('attached_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'attached_material', 'app': 'models', 'unique_together': (('application', 'material'),), 'pk_attr': 'id', 'table_description': 'Which file stands for which material in a case (one per material).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='delivery',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Citizen',
            name='enterprise_code',
            field=fields.CharField(null=True, db_index=True, max_length=18),
        ),
        ops.AddField(
            model_name='Citizen',
            name='enterprise_verified',
            field=fields.BooleanField(default=False),
        ),
    ]
