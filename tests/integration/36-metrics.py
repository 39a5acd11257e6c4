#!/usr/bin/python3
"""36-metrics: the Prometheus endpoint at metrics_listen (issue 5):

  * GET /metrics is valid text exposition (promtool check metrics);
  * after a scripted scenario the counters hold exactly what happened:
    sessions per route (active and total), messages and bytes per
    direction (live sessions included), closes by initiator and code,
    handshake rejections by route and status, backend connect errors,
    reloads ok and failed; build info is there;
  * another path gets 404;
  * a reload moves the endpoint to unix:PATH: it serves there and the
    TCP port is closed; the counters go on.
"""
import asyncio
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
metrics_listen = METRICS
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock

[route /api/*]
backend = unix:{dir}/echo.sock

[route /down]
backend = unix:{dir}/missing.sock
"""

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def main(env):
    env.backend("echo", harness.handler_echo)
    mport = harness.find_free_port()
    tcp = lambda: socket.create_connection(("127.0.0.1", mport), timeout=5)
    env.start(CONFIG.replace("METRICS", "127.0.0.1:%d" % mport))

    async def scenario():
        for i in range(2):
            ws = await env.connect("/echo")
            for _ in range(3):
                await ws.send(b"abc")
                await asyncio.wait_for(ws.recv(), 5)
            await ws.close()
        live = await env.connect("/api/x")
        await live.send(b"hello")
        await asyncio.wait_for(live.recv(), 5)
        return live

    # one loop for the whole test: the /api session stays open across it
    loop = asyncio.new_event_loop()
    live = loop.run_until_complete(asyncio.wait_for(scenario(), 20))
    env.check(harness.raw_http(env.port, "/nothing")[0] == 404, "no route: 404")
    env.check(harness.raw_http(env.port, "/down")[0] == 502, "backend down: 502")
    env.require(env.reload(CONFIG.replace("METRICS", "127.0.0.1:%d" % mport)),
                "a good reload")
    env.require(not env.reload(CONFIG.replace("METRICS", "nonsense")), "a broken reload")
    env.wait_log(r"session 2: end", 5)

    status, text = harness.http_get(tcp, "/metrics")
    env.require(status == 200, "GET /metrics: 200 (%s)" % status)
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=30)
    env.check(r.returncode == 0, "promtool check metrics: clean (%d: %s)"
              % (r.returncode, (r.stdout + r.stderr).decode().strip()[:500]))
    m = harness.metric_samples(text)
    want = {
        'wsgate_sessions_total{route="/echo"}': 2,
        'wsgate_sessions_active{route="/echo"}': 0,
        'wsgate_sessions_total{route="/api/*"}': 1,
        'wsgate_sessions_active{route="/api/*"}': 1,
        'wsgate_messages_total{route="/echo",direction="client_to_backend"}': 6,
        'wsgate_bytes_total{route="/echo",direction="client_to_backend"}': 18,
        'wsgate_bytes_total{route="/echo",direction="backend_to_client"}': 18,
        'wsgate_messages_total{route="/api/*",direction="client_to_backend"}': 1,
        'wsgate_bytes_total{route="/api/*",direction="backend_to_client"}': 5,
        'wsgate_closes_total{route="/echo",initiator="client",code="1000"}': 2,
        'wsgate_handshake_rejections_total{route="",status="404"}': 1,
        'wsgate_handshake_rejections_total{route="/down",status="502"}': 1,
        'wsgate_backend_connect_errors_total{route="/down",reason="down"}': 1,
        'wsgate_backend_connect_errors_total{route="/echo",reason="down"}': 0,
        'wsgate_backpressure_pauses_total{route="/echo"}': 0,
        'wsgate_sessions_total{route="/down"}': 0,
        'wsgate_reloads_total{result="ok"}': 1,
        'wsgate_reloads_total{result="failed"}': 1,
    }
    for k, v in want.items():
        env.check(m.get(k) == v, "%s == %s (%s)" % (k, v, m.get(k)))
    env.check(any(k.startswith("wsgate_build_info{version=") and "libwebsockets=" in k
                  and "mbedtls=" in k for k in m), "build info with versions")
    env.check(harness.http_get(tcp, "/other")[0] == 404, "GET /other: 404")

    path = env.path("metrics.sock")
    env.require(env.reload(CONFIG.replace("METRICS", "unix:" + path)),
                "reload to a unix: metrics address")

    def unix():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        return s
    status, text = harness.http_get(unix, "/metrics")
    env.check(status == 200 and harness.metric_samples(text).get(
        'wsgate_reloads_total{result="ok"}') == 2,
        "unix: endpoint serves, counters go on (%s)" % status)
    try:
        tcp().close()
        closed = False
    except OSError:
        closed = True
    env.check(closed, "the old metrics port is closed")
    loop.run_until_complete(live.close())
    loop.close()


harness.run(os.path.basename(__file__)[:-3], main)
