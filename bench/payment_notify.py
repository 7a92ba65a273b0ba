"""WeChat Pay callbacks handled per second, against a bare Tornado JSON handler in the same run.

    python -m bench.payment_notify

The real ``python -m server web`` (sandbox mode, embedded MongoDB) holds one paid fee order. The bench
posts ``NOTICES`` signed, encrypted payment callbacks for it (as WeChat retries them: each verified,
decrypted, matched against the order and answered SUCCESS without a second transition), ``CONCURRENCY``
at a time. The baseline is a bare Tornado handler answering small JSON, in its own process, sent the
same bodies the same way. Notices are made before the clock starts, so signing is not measured.

1. ``payment_notify_per_s`` and ``bare_json_per_s``: the rates (INFO).
2. ``payment_notify_vs_bare``: their ratio. Target: at least RATIO_TARGET (a callback costs at most
   1/RATIO_TARGET bare requests: an RSA verification, an AES-GCM decryption and two MongoDB reads).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import tornado.httpclient

from bench.serving import free_port, report, server_environment, wait_until_ready
from server.actor import Actor
from server.cases import repository as cases_repository
from server.cases.model import new_case
from server.cases.workflow import record_change
from server.clock import china_date
from server.payments import orders
from server.payments import repository as payments_repository
from server.payments.gateway import Payer, PrepayRequest
from server.runtime import open_runtime
from server.sandbox import payments_repository as sandbox_repository
from server.sandbox.keys import sandbox_key_store
from server.sandbox.wechatpay import WechatpaySimulator
from server.settings import Settings

NOTICES = 600
CONCURRENCY = 16
RATIO_TARGET = 0.15
BARE_SERVER = textwrap.dedent("""
    import asyncio, json, sys
    import tornado.web

    class Bare(tornado.web.RequestHandler):
        def post(self):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps({"code": "SUCCESS", "message": "成功"}))

        def get(self):
            self.finish("ok")

    async def main():
        tornado.web.Application([(r"/healthz", Bare), (r"/notify", Bare)]).listen(int(sys.argv[1]), "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(main())
""")


async def paid_order_notices(env: dict[str, str]) -> list[tuple[dict[str, str], bytes]]:
    """One case with a fee order paid through the sandbox; ``NOTICES`` callbacks of that payment."""
    settings = Settings.from_env(env)
    runtime = await open_runtime(settings)
    deps = runtime.deps
    try:
        now = deps.clock.now()
        guide = {"id": "bench-guide", "name": "基准测试事项", "department_id": "bench",
                 "fees": {"charged": True, "items": [{"name": "工本费", "amount_fen": 1500}]}}
        case = new_case(case_id="bench-case", number="YWBENCH0001", guide=guide, channel="wechat", form={},
                        applicant={"citizen_id": "bench-citizen", "kind": "natural"}, now=now)
        case["state"] = "submitted"
        await cases_repository.insert_case(deps.db, case)
        fee = orders.fee_items(case)[0]
        out_trade_no = orders.new_out_trade_no(now)
        order = orders.new_order(fee=fee, provider="wechat", out_trade_no=out_trade_no, actor=Actor.system("bench"),
                                 now=now, close_after=now + timedelta(minutes=30))
        await payments_repository.insert_order_index(deps.db, out_trade_no=out_trade_no, case_id=case["_id"],
                                                     provider="wechat", amount_fen=fee["amount_fen"], created_at=now,
                                                     created_on=china_date(now).isoformat())
        await record_change(deps, case, orders.with_order(case, order))
        await deps.payments["wechat"].prepay(PrepayRequest(out_trade_no, "基准测试", fee["amount_fen"],
                                                           Payer("o-bench-openid"), now + timedelta(minutes=30)),
                                             reuse=None)
        paid = await tornado.httpclient.AsyncHTTPClient().fetch(
            f"{settings.sandbox_url}/payments/wechat/trades/{out_trade_no}/pay", method="POST",
            body=b'{"notify": "once"}', raise_error=False)
        if paid.code != 200 or b'"status": 200' not in paid.body:
            raise RuntimeError(f"the sandbox could not pay the order: {paid.body!r}")
        stored = await cases_repository.get_case(deps.db, case["_id"])
        assert stored is not None
        assert orders.orders_of(stored)[out_trade_no]["state"] == "paid"
        trade = await sandbox_repository.get_trade(deps.db, "wechat", out_trade_no)
        assert trade is not None
        simulator = WechatpaySimulator(settings, sandbox_key_store(settings.var_dir))
        return [await simulator.notice(deps.clock, trade, None) for _ in range(NOTICES)]
    finally:
        await runtime.close()


async def post_all(url: str, notices: list[tuple[dict[str, str], bytes]], expect: bytes) -> float:
    client = tornado.httpclient.AsyncHTTPClient(max_clients=CONCURRENCY)
    queue = list(reversed(notices))

    async def sender() -> None:
        while queue:
            headers, body = queue.pop()
            response = await client.fetch(url, method="POST", headers=headers, body=body, raise_error=False)
            if response.code != 200 or expect not in (response.body or b""):
                raise RuntimeError(f"{url} answered {response.code}: {response.body!r}")

    began = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
    return len(notices) / (time.monotonic() - began)


def main() -> int:
    argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as directory:
        port, bare_port = free_port(), free_port()
        env = server_environment(Path(directory), port, WORKER_POLL_SECONDS="0.05")
        server = subprocess.Popen([sys.executable, "-m", "server", "web"], env=env)
        bare = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(bare_port)])
        try:
            asyncio.run(wait_until_ready(f"http://127.0.0.1:{port}", server))
            asyncio.run(wait_until_ready(f"http://127.0.0.1:{bare_port}", bare))
            notices = asyncio.run(paid_order_notices(env))
            warm = notices[:50]
            asyncio.run(post_all(f"http://127.0.0.1:{port}/payments/v1/wechat/notify", warm, b"SUCCESS"))
            asyncio.run(post_all(f"http://127.0.0.1:{bare_port}/notify", warm, b"SUCCESS"))
            # Interleaved halves, so a noisy neighbour hurts both sides alike.
            half = len(notices) // 2
            rates: dict[str, list[float]] = {"notify": [], "bare": []}
            for part in (notices[:half], notices[half:]):
                rates["notify"].append(asyncio.run(post_all(f"http://127.0.0.1:{port}/payments/v1/wechat/notify",
                                                            part, b"SUCCESS")))
                rates["bare"].append(asyncio.run(post_all(f"http://127.0.0.1:{bare_port}/notify", part, b"SUCCESS")))
        finally:
            for process in (server, bare):
                process.terminate()
                process.wait(timeout=30)
    notify_rate = sum(rates["notify"]) / len(rates["notify"])
    bare_rate = sum(rates["bare"]) / len(rates["bare"])
    print(f"# {NOTICES} WeChat Pay callbacks (duplicates of one paid order), {CONCURRENCY} at a time")
    results = [report("payment_notify_per_s", notify_rate, "-", None),
               report("bare_json_per_s", bare_rate, "-", None),
               report("payment_notify_vs_bare", notify_rate / bare_rate, RATIO_TARGET,
                      notify_rate / bare_rate >= RATIO_TARGET, digits=2)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
