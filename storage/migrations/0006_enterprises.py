from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_wechat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Enterprise',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=128)),
                ('credit_code', fields.CharField(unique=True, max_length=18)),
                ('manager', fields.ForeignKeyField('models.StaffUser', source_field='manager_id', null=True, db_constraint=True, to_field='id', related_name='enterprises', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'enterprise', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An enterprise served one-to-one by a project service manager (项目服务经理).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EnterpriseContact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.CASCADE)),
                ('follower', fields.ForeignKeyField('models.Follower', source_field='follower_id', null=True, db_constraint=True, to_field='id', related_name='enterprise_contacts', on_delete=OnDelete.CASCADE)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', null=True, db_constraint=True, to_field='id', related_name='enterprise_contacts', on_delete=OnDelete.CASCADE)),
                ('bound_via', fields.CharField(max_length=16)),
                ('verified', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'enterprise_contact', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A WeChat user who acts for an enterprise.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ManagerAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.CharField(max_length=16)),
                ('subject_id', fields.IntField()),
                ('manager', fields.ForeignKeyField('models.StaffUser', source_field='manager_id', null=True, db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('assigned_by', fields.CharField(max_length=80)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'manager_assignment', 'app': 'models', 'indexes': [Index(fields=['subject', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'Who served an enterprise or a project from when: every (re)assignment is kept.'},
            bases=['Model'],
        ),
    ]
