from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# A period's ranking is stored once the period ends, so a published ranking never changes when
# late events or a new formula arrive afterwards.


class Migration(migrations.Migration):
    dependencies = [('models', '0017_missing_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PublishedRanking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('period', fields.CharField(max_length=8)),
                ('scope', fields.CharField(max_length=16)),
                ('places', fields.JSONField()),
                ('frozen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'published_ranking', 'app': 'models', 'unique_together': (('kind', 'period', 'scope'),),
                     'pk_attr': 'id',
                     'table_description': "A period's efficiency ranking (效能排行榜) as frozen once the period ended: never rewritten."},
            bases=['Model'],
        ),
    ]
