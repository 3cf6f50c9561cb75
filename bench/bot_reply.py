"""Benchmark: safe-mode messages to /bot/wechat under concurrent load, beside a floor measured in
the same run.

The floor is a bare aiohttp endpoint doing the least any correct answer needs: check the
signature, decrypt, parse the same XML, one Redis SET NX for the MsgId, render and encrypt a
reply of the same text. Both run as 2 processes on Redis (and PostgreSQL for ours). Every
message is unique (its own MsgId and ciphertext), prepared before the clock starts; Redis is
cleared of dedupe keys between phases so no answer is a cached retry. Budget (issue 16): at least 85% of
the floor's throughput, p99 within 1.1x the floor's, and no answer slower than 5 s at ten times the
concurrency. ``--profile`` runs one app process under pyinstrument instead and prints where its time went.

    ./dev bench bot_reply [--seconds 10] [--concurrency 64] [--messages 150000] [--profile]
Needs PostgreSQL and Redis on localhost and wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.progress_read import _sql, wait  # noqa: E402
from tests.support import wechat_messages as wx  # noqa: E402

PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")  # flushed at the start
QUESTIONS = ["开公司需要什么材料？", "我想开个饭店", "退休手续怎么办", "宝宝出生了要办什么", "二手房过户要准备什么"]
SENDERS = 500  # distinct followers: each is written to the database at most hourly

FLOOR = textwrap.dedent('''
    import os, sys, time, xml.etree.ElementTree as ET
    import redis.asyncio as aioredis
    from aiohttp import web
    from wechatpy.crypto import WeChatCrypto
    sys.path.insert(0, os.environ["ROOT"])
    from tests.support import wechat_messages as wx
    REPLIES = {}  # question -> the same answer text ours sends, computed once like a fixed string
    async def ctx(app):
        app["redis"] = aioredis.from_url(os.environ["REDIS"])
        yield
        await app["redis"].aclose()
    async def handler(request):
        q = request.query
        crypto = WeChatCrypto(wx.TOKEN, wx.AES_KEY, wx.APPID)
        xml = crypto.decrypt_message(await request.text(), q["msg_signature"], q["timestamp"], q["nonce"])
        root = ET.fromstring(xml)
        if not await request.app["redis"].set("floor:seen:" + root.findtext("MsgId"), b"1", nx=True, ex=60):
            return web.Response(text="success")
        reply = ("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"
                 "<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>"
                 % (root.findtext("FromUserName"), root.findtext("ToUserName"), int(time.time()),
                    REPLIES.get(root.findtext("Content"), "")))
        return web.Response(text=crypto.encrypt_message(reply, q["nonce"], q["timestamp"]), content_type="application/xml")
    app = web.Application(); app.cleanup_ctx.append(ctx)
    app.router.add_post("/floor", handler)
    import json; REPLIES.update(json.load(open(os.environ["REPLIES"])))
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), reuse_port=True, access_log=None, print=None)
''')

# Each wrk thread sends its own share of the prepared messages, once each.
WRK_LUA = textwrap.dedent('''
    local threads, counter = {}, 0
    function setup(thread)
      thread:set("index", #threads)
      table.insert(threads, thread)
    end
    function init(args)
      path, count = args[1], tonumber(args[3])
      queries, bodies, counter, wrapped = {}, {}, 0, 0
      local n = 0
      for line in io.lines(args[2]) do
        if n % count == index then
          local tab = line:find("\\t")
          table.insert(queries, line:sub(1, tab - 1))
          table.insert(bodies, line:sub(tab + 1))
        end
        n = n + 1
      end
    end
    function request()
      counter = counter + 1
      if counter > #queries then counter, wrapped = 1, wrapped + 1 end
      return wrk.format("POST", path .. "?" .. queries[counter], {["Content-Type"] = "text/xml"}, bodies[counter])
    end
    function done(summary, latency, requests)
      local wraps = 0
      for _, t in ipairs(threads) do wraps = wraps + t:get("wrapped") end
      io.write(string.format("RESULT %d %d %d %d %.3f %.3f %.3f\\n", summary.requests, summary.errors.status,
        summary.errors.timeout + summary.errors.connect + summary.errors.read, wraps,
        summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, latency.max / 1000))
    end
''')


def prepare_messages(path: Path, count: int) -> None:
    """Signed, encrypted messages, each with its own MsgId: what WeChat would send."""
    crypto = wx.crypto()
    from xml.etree import ElementTree
    from urllib.parse import urlencode

    with path.open("w") as out:
        for n in range(count):
            xml = wx.text_xml(QUESTIONS[n % len(QUESTIONS)], sender=f"oa-bench-{n % SENDERS}", msg_id=10**12 + n)
            query = wx.signed_query(timestamp=int(time.time()), encrypt_type="aes")
            tree = ElementTree.fromstring(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))
            query["msg_signature"] = tree.findtext("MsgSignature")
            body = f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><Encrypt><![CDATA[{tree.findtext('Encrypt')}]]></Encrypt></xml>"
            out.write(f"{urlencode(query)}\t{body}\n")


def forget_seen() -> None:
    """No answer may be a retry of an earlier phase: drop the dedupe keys (and nothing else, so
    followers seen in the warm-up count as seen this hour, as in steady use)."""
    client = redis.Redis.from_url(REDIS)
    for pattern in ("bot:seen:*", "floor:seen:*"):
        batch = []
        for key in client.scan_iter(match=pattern, count=5000):
            batch.append(key)
            if len(batch) == 5000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes and their children (the app's workers): per
    answer, it moves far less than throughput with what else the machine runs."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for each in [pid, *map(int, children)]:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def run_wrk(url: str, path: str, messages: Path, seconds: float, concurrency: int, lua: Path,
            pids: list[int] = ()) -> dict:
    forget_seen()
    cpu = cpu_seconds(pids)
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(lua), url,
               "--", path, str(messages), "2"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(l for l in output.splitlines() if l.startswith("RESULT"))
    requests, bad, failed, wraps, rate, p99, worst = line.split()[1:]
    if int(bad) or int(failed):
        raise SystemExit(f"errors under load: {bad} non-2xx, {failed} timeouts or socket errors\n{output}")
    return {"requests": int(requests), "wraps": int(wraps), "rate": float(rate), "p99": float(p99), "max": float(worst),
            "cpu_us": (cpu_seconds(pids) - cpu) / max(int(requests), 1) * 1e6}


def answers(public_url: str, mini_program: dict) -> dict[str, str]:
    """The texts ours answers each question with, so the floor sends the same bytes."""
    from bot.finding import find_things
    from onething.domain.notice import notice_for
    from onething.services.reference import load_catalog
    from onething.templating import make_environment

    catalog, env = load_catalog(), make_environment()
    return {question: env.get_template("bot_notice.txt.j2").render(
        notice=notice_for(catalog, find_things(catalog, question)[0]), things=list(catalog.things.values()),
        public_url=public_url, mini_program=mini_program) for question in QUESTIONS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--messages", type=int, default=150_000)
    parser.add_argument("--profile", action="store_true",
                        help="instead: one app process under pyinstrument, loaded for --seconds; print where the time went")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("this benchmark needs wrk (apt-get install wrk): its messages are prepared for it")
    root = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp())
    database = f"onething_bench_{uuid.uuid4().hex[:8]}"
    admin = PG.replace("postgres://", "postgresql://", 1)
    asyncio.run(_sql(admin, f'CREATE DATABASE "{database}"'))
    db_url = PG.rsplit("/", 1)[0] + "/" + database
    env = {**os.environ, "ONETHING_DATABASE_URL": db_url, "ONETHING_REDIS_URL": REDIS,
           "ONETHING_SECRET_KEY": "bench-" + "k" * 40, "ONETHING_LOG_LEVEL": os.environ.get("ONETHING_LOG_LEVEL", "WARNING"),
           "ONETHING_DATA_DIR": str(work), "ONETHING_PUBLIC_URL": "https://onething.example.gov.cn",
           "ONETHING_OA_APPID": wx.APPID, "ONETHING_OA_SECRET": "bench-secret", "ONETHING_OA_TOKEN": wx.TOKEN,
           "ONETHING_OA_AES_KEY": wx.AES_KEY, "ONETHING_WECHAT_API_BASE": "http://127.0.0.1:9/",
           "REDIS": REDIS, "ROOT": str(root), "REPLIES": str(work / "replies.json")}
    onething = [sys.executable, "-m", "onething.cli"]
    redis.Redis.from_url(REDIS).flushdb()
    processes = []
    try:
        import json
        (work / "replies.json").write_text(json.dumps(answers(env["ONETHING_PUBLIC_URL"], {"appid": "", "thing_page": "pages/thing/index"}), ensure_ascii=False))
        subprocess.run(onething + ["migrate"], env=env, check=True, capture_output=True)
        if args.profile:
            onething = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o",
                        str(work / "profile.txt"), "-m", "onething.cli"]
        processes.append(subprocess.Popen(onething + ["serve", "--port", "8791", "--workers", "1" if args.profile else "2"],
                                          env=env))
        (work / "floor.py").write_text(FLOOR)
        processes += [subprocess.Popen([sys.executable, str(work / "floor.py"), "8792"], env=env) for _ in range(2)]
        lua = work / "messages.lua"
        lua.write_text(WRK_LUA)
        messages = work / "messages.tsv"
        started = time.perf_counter()
        prepare_messages(messages, args.messages)
        print(f"prepared {args.messages} messages in {time.perf_counter() - started:.1f} s")
        wait("http://127.0.0.1:8791/healthz")
        time.sleep(1)
        if args.profile:  # a warm-up first: every sender seen this hour, as in steady use
            run_wrk("http://127.0.0.1:8791", "/bot/wechat", messages, 3, args.concurrency, lua)
            run_wrk("http://127.0.0.1:8791", "/bot/wechat", messages, args.seconds, args.concurrency, lua)
            processes[0].send_signal(signal.SIGINT)  # pyinstrument writes its report as the server stops
            processes[0].wait(60)
            print((work / "profile.txt").read_text())
            return
        results = {}
        pids = {"floor": [p.pid for p in processes[1:]], "ours": [processes[0].pid]}
        for name, url, path in (("floor", "http://127.0.0.1:8792", "/floor"), ("ours", "http://127.0.0.1:8791", "/bot/wechat")):
            run_wrk(url, path, messages, 2, args.concurrency, lua)  # warm up
            results[name] = run_wrk(url, path, messages, args.seconds, args.concurrency, lua, pids[name])
        crowd = run_wrk("http://127.0.0.1:8791", "/bot/wechat", messages, args.seconds, args.concurrency * 10, lua)
        print(f"{'':34}{'req/s':>10}{'p99 ms':>10}{'max ms':>10}{'CPU µs':>10}")
        for label, r in (("floor (decrypt+parse+SET NX+reply)", results["floor"]), ("POST /bot/wechat", results["ours"]),
                         (f"POST /bot/wechat x{args.concurrency * 10} conns", crowd)):
            cpu = f"{r['cpu_us']:>10.0f}" if "cpu_us" in r and r is not crowd else ""
            print(f"{label:34}{r['rate']:>10.0f}{r['p99']:>10.1f}{r['max']:>10.1f}{cpu}")
        if any(r["wraps"] for r in (*results.values(), crowd)):
            print("warning: some phase ran out of prepared messages and resent some: raise --messages")
        ratio, tail = results["ours"]["rate"] / results["floor"]["rate"], results["ours"]["p99"] / results["floor"]["p99"]
        print(f"throughput ratio {ratio:.2f} (budget >= 0.85), p99 ratio {tail:.2f} (budget <= 1.10), "
              f"slowest answer at {args.concurrency * 10} connections {crowd['max'] / 1000:.2f} s (budget < 5 s); "
              f"CPU per answer {results['ours']['cpu_us'] / results['floor']['cpu_us']:.2f}x the floor's (app processes only)")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
        asyncio.run(_sql(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
