"""Typed keys for what the application holds: one per resource."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp import web

from .settings import Settings

# Keys whose types live in modules that import this one are named by string.
settings_key = web.AppKey("settings", Settings)
redis_key = web.AppKey("redis", aioredis.Redis)
object_store_key = web.AppKey("object_store", "ObjectStore")
catalog_key = web.AppKey("catalog", "Catalog")
calendar_key = web.AppKey("calendar", "CalendarBook")
workflow_key = web.AppKey("workflow", "Workflow")
templates_key = web.AppKey("templates", "jinja2.Environment")
messages_key = web.AppKey("messages", "Messages")
wechat_key = web.AppKey("wechat", "WeChatGateway")
id_cipher_key = web.AppKey("id_cipher", "IdCipher")
notifier_key = web.AppKey("notifier", "Notifier")
messenger_key = web.AppKey("messenger", "Messenger")
issues_key = web.AppKey("issues", "IssueDesk")
grades_key = web.AppKey("grades", "GradeRules")  # supervision grades, validated at startup
ranking_rules_key = web.AppKey("ranking_rules", "onething.domain.ranking.Rules")
