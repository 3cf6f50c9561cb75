"""What each process builds once for the bot and keeps on its app: the WeChat crypto (it derives
the AES key), the Redis script (later calls send only its digest), the index of the catalog's
words and each thing's notice in short form (the catalog and templates never change while the
process runs)."""

from aiohttp import web

RESOURCES = web.AppKey("bot_resources", dict)
