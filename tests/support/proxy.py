"""A TCP proxy a test can cut, to make a real service look down to the app."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def resume(self) -> None:
        """The service is back, on the same port as before."""
        await self.start()

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self._writers:
            writer.close()
        self._writers.clear()


class RedisOutage:
    """Redis a test can take away and bring back: a real one through a TcpProxy, or the app's
    in-process store disconnected (when the session runs without a real Redis)."""

    def __init__(self, redis_url: str):
        self._given = redis_url
        self._target = urlsplit(redis_url) if redis_url else None
        self._proxy: TcpProxy | None = None
        self._app = None

    async def url(self) -> str:
        """What the app is to be given as its Redis URL."""
        if self._target is None:
            return self._given
        self._proxy = await TcpProxy(self._target.hostname, self._target.port or 6379).start()
        return f"redis://127.0.0.1:{self._proxy.port}{self._target.path}"

    def watch(self, app) -> None:
        self._app = app

    async def cut(self) -> None:
        if self._proxy is not None:
            await self._proxy.cut()
        else:
            self._fake_server().connected = False

    async def restore(self) -> None:
        if self._proxy is not None:
            await self._proxy.resume()
        else:
            self._fake_server().connected = True

    def _fake_server(self):
        from fakeredis import FakeAsyncRedis

        from onething.keys import redis_key

        fake = self._app[redis_key]
        assert isinstance(fake, FakeAsyncRedis), "without a Redis URL the app runs on the in-process store"
        return fake.connection_pool.connection_kwargs["server"]


async def postgres_through_proxy(database_url: str) -> tuple[TcpProxy, str]:
    """A proxy in front of a PostgreSQL database, and the URL that reaches it through the proxy."""
    target = urlsplit(database_url)
    proxy = await TcpProxy(target.hostname, target.port or 5432).start()
    return proxy, database_url.replace(target.netloc, f"{target.username or 'postgres'}@127.0.0.1:{proxy.port}", 1)
