#!/usr/bin/python3
"""63-health-drain: health_path answers 200 on the client listener and on
the metrics listener while wsgated accepts, and 503 from the moment a
SIGTERM starts a drain.  With drain_delay wsgated then keeps serving, open
sessions and new handshakes alike, until the delay is over, and only then
stops accepting and sends 1001 (after everything queued).  drain_spread
spreads those 1001s over its span instead of sending them in one burst.
A handshake still under way when the drain begins gets 503 with
Retry-After, so that its client tries another instance.
"""
import asyncio
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
metrics_listen = 127.0.0.1:MPORT
health_path = /healthz
drain_delay = 1500ms
drain_spread = 1s
close_timeout = 2s
shutdown_timeout = 5s

[route /echo]
backend = unix:{dir}/echo.sock
"""

SESSIONS = 12


def health(port):
    return harness.http_get(lambda: socket.create_connection(("127.0.0.1", port), timeout=5),
                            "/healthz")


def main(env):
    mport = harness.find_free_port()
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG.replace("MPORT", str(mport)))
    env.check(health(env.port) == (200, "ok\n"), "health on the listener: 200 ok")
    env.check(health(mport) == (200, "ok\n"), "health on the metrics listener: 200 ok")
    # HAProxy's plain "option httpchk" sends OPTIONS / HTTP/1.0.
    s = env.closing(socket.create_connection(("127.0.0.1", env.port), timeout=5))
    s.sendall(b"OPTIONS /healthz HTTP/1.0\r\n\r\n")
    env.check(s.recv(64).startswith(b"HTTP/1.1 200 "), "health answers OPTIONS too: 200")
    status, _ = harness.http_get(
        lambda: socket.create_connection(("127.0.0.1", env.port), timeout=5), "/healthz?probe=1")
    env.check(status == 200, "the query string is not part of the health path (%r)" % status)
    status, _ = harness.http_get(
        lambda: socket.create_connection(("127.0.0.1", env.port), timeout=5), "/healthz2")
    env.check(status == 400, "another path is no health check (%r)" % status)

    async def drain():
        clients = [await env.connect("/echo") for _ in range(SESSIONS)]
        slow = env.closing(harness.RawClient(env.port))
        slow.sock.sendall(b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        t0 = time.monotonic()
        env.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.2)
        loop = asyncio.get_running_loop()
        h = await loop.run_in_executor(None, health, env.port)
        env.check(h == (503, "draining\n"), "draining: the listener's health check is 503 (%r)" % (h,))
        h = await loop.run_in_executor(None, health, mport)
        env.check(h == (503, "draining\n"), "draining: the metrics health check is 503 (%r)" % (h,))
        # Still serving during drain_delay: old sessions and new handshakes.
        await clients[0].send(b"during the delay\n")
        env.check(await asyncio.wait_for(clients[0].recv(), 5) == b"during the delay\n",
                  "drain_delay: an open session still relays")
        late = await env.connect("/echo")
        await late.send(b"late\n")
        env.check(await asyncio.wait_for(late.recv(), 5) == b"late\n",
                  "drain_delay: a new handshake is still served")
        clients.append(late)
        ends = []

        async def wait_end(ws):
            msgs = await harness.recv_all(ws, 10)
            ends.append(time.monotonic() - t0)
            return msgs, ws.close_code

        async def finish_slow():
            await asyncio.sleep(1.8 - (time.monotonic() - t0))
            slow.sock.sendall(b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              b"Sec-WebSocket-Version: 13\r\n\r\n")
            return await loop.run_in_executor(None, slow.read_response_head)

        slow_status, *results = await asyncio.gather(
            finish_slow(), *(wait_end(ws) for ws in clients))
        env.check(slow_status == 503 and slow.headers.get("retry-after") == ["1"],
                  "a handshake under way when the drain began: 503, Retry-After (%r)"
                  % slow_status)
        env.check(all(code == 1001 for _, code in results),
                  "every session ends with 1001 (%r)" % sorted({c for _, c in results}))
        env.check(all(msgs == [] for msgs, _ in results), "nothing stray after the drain")
        ends.sort()
        env.check(ends[0] >= 1.4, "no 1001 before drain_delay (first at %.2f s)" % ends[0])
        env.check(ends[-1] - ends[0] >= 0.6,
                  "drain_spread: the 1001s are spread (%.2f s .. %.2f s)" % (ends[0], ends[-1]))
        env.check(ends[-1] - ends[0] <= 1.6,
                  "drain_spread: all within about 1 s (%.2f s)" % (ends[-1] - ends[0]))
        rc = await loop.run_in_executor(None, env.proc.wait, 10)
        env.check(rc == 0, "wsgated exits 0 after the drain (%r)" % rc)
        env.proc = None
    env.run_async(drain())


harness.run(os.path.basename(__file__)[:-3], main)
