from tortoise import fields
from tortoise.models import Model


class Follower(Model):
    """A follower of the official account, known by its openid there.

    WeChat gives the same person another openid in the mini-program: the unionid links the
    two, so a follower becomes a citizen with cases once either side has told us the unionid.
    """

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    citizen = fields.ForeignKeyField("models.Citizen", related_name="followers", null=True)
    subscribed = fields.BooleanField(default=True)
    window = fields.CharField(max_length=64, null=True)  # the service window whose code they scanned
    # WeChat accepts customer-service messages for 48 hours after the user last wrote
    last_message_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follower"


class FollowerLink(Model):
    """What a follower scanned a code for: a case to follow, an enterprise to act for."""

    id = fields.IntField(primary_key=True)
    follower = fields.ForeignKeyField("models.Follower", related_name="links")
    kind = fields.CharField(max_length=16)  # application | enterprise
    ref = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follower_link"
        unique_together = (("follower", "kind", "ref"),)


class SubscribeConsent(Model):
    """Consent to subscribe messages of one template: each accepted request allows one message.

    Recorded from the mini-program (its requestSubscribeMessage results) and from the official
    account (subscribe_msg_popup_event); long-term consent is not used up by sending.
    """

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)  # mp_subscribe | oa_subscribe
    openid = fields.CharField(max_length=64)
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)
    long_term = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subscribe_consent"
        unique_together = (("channel", "openid", "template_id"),)
