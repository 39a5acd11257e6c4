#!/usr/bin/python3
"""30-reload-live: SIGHUP reloads the configuration under live traffic
(design.md, "Command line"; issue 5):

  * eight clients (four on /a, four on /b) send numbered messages to echo
    backends without pause while the file is rewritten and SIGHUP sent;
    each keeps relaying after the reload and gets back every byte it sent,
    in order (nothing lost), and each backend received exactly that;
  * the new file drops /b, adds /c and a second listen port: /c works, a
    new client on /b gets 404 while the /b sessions opened before go on,
    and the new port accepts;
  * a second reload drops the second port again: it refuses connections;
  * once the last /b session ends, the old configuration is freed.
"""
import asyncio
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG1 = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /a]
backend = unix:{dir}/a.sock

[route /b]
backend = unix:{dir}/b.sock
"""

CONFIG2 = """\
[server]
listen = 127.0.0.1:{port}
listen = 127.0.0.1:PORT2
{server_defaults}
[route /a]
backend = unix:{dir}/a.sock

[route /c]
backend = unix:{dir}/c.sock
"""

CONFIG3 = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /a]
backend = unix:{dir}/a.sock

[route /c]
backend = unix:{dir}/c.sock
"""


class Talker:
    """One client sending numbered messages and reading the echoes."""

    def __init__(self, name, ws):
        self.name, self.ws = name, ws
        self.sent = bytearray()
        self.received = bytearray()
        self.msgs = 0
        self.msgs_at_reload = None

    async def run(self, stop):
        while not stop.is_set():
            msg = ("%s %06d\n" % (self.name, self.msgs)).encode()
            await self.ws.send(msg)
            self.sent += msg
            self.msgs += 1
            while len(self.received) < len(self.sent):
                self.received += await asyncio.wait_for(self.ws.recv(), 10)


def main(env):
    backends = {n: env.backend(n, harness.handler_echo) for n in "abc"}
    env.start(CONFIG1)
    port2 = harness.find_free_port()

    async def body():
        talkers = []
        for route in ("a", "b"):
            for i in range(4):
                ws = await env.connect("/" + route)
                talkers.append(Talker("%s%d" % (route, i), ws))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(t.run(stop)) for t in talkers]
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        for t in talkers:
            t.msgs_at_reload = t.msgs
        ok = await loop.run_in_executor(
            None, env.reload, CONFIG2.replace("PORT2", str(port2)))
        env.check(ok, "reload 1 (drop /b, add /c and a port) accepted")
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*tasks)

        total = 0
        for t in talkers:
            env.check(t.msgs > t.msgs_at_reload + 5,
                      "%s: relayed across the reload (%d messages, %d before it)"
                      % (t.name, t.msgs, t.msgs_at_reload))
            env.check(t.received == t.sent,
                      "%s: got back every byte it sent (%d of %d)"
                      % (t.name, len(t.received), len(t.sent)))
            total += t.msgs
        harness.log("# %d messages relayed by 8 sessions around the reload" % total)

        c = await env.connect("/c")
        await c.send(b"to c\n")
        env.check(await asyncio.wait_for(c.recv(), 5) == b"to c\n",
                  "new route /c relays after the reload")
        await c.close()
        status = (await loop.run_in_executor(None, harness.raw_http, env.port, "/b"))[0]
        env.check(status == 404, "removed route /b: 404 for a new client (%s)" % status)
        a2 = await harness.websockets.connect(
            "ws://127.0.0.1:%d/a" % port2, ping_interval=None, compression=None,
            open_timeout=5)
        await a2.send(b"port2\n")
        env.check(await asyncio.wait_for(a2.recv(), 5) == b"port2\n",
                  "the added listen address serves")
        await a2.close()

        ok = await loop.run_in_executor(None, env.reload, CONFIG3)
        env.check(ok, "reload 2 (drop the second port) accepted")
        try:
            socket.create_connection(("127.0.0.1", port2), timeout=2).close()
            refused = False
        except OSError:
            refused = True
        env.check(refused, "the removed listen address refuses connections")

        # The /b sessions still live on the first configuration.
        for t in talkers:
            msg = ("%s last\n" % t.name).encode()
            await t.ws.send(msg)
            t.sent += msg
            while len(t.received) < len(t.sent):
                t.received += await asyncio.wait_for(t.ws.recv(), 10)
            env.check(t.received == t.sent, "%s: relays after two reloads" % t.name)
        start = len(env.daemon_log())
        for t in talkers:
            await t.ws.close()
            env.check_ws_closed(t.ws, 1000, "%s: close echoed" % t.name)
        env.check(env.wait_log(r"last session of a previous configuration ended",
                               10, start) is not None,
                  "the replaced configurations are freed after their last session")
        return talkers

    talkers = env.run_async(body())
    for route in ("a", "b"):
        got = b"".join(sorted(backends[route].wait_conn(i).received()
                              for i in range(4)))
        want = b"".join(sorted(bytes(t.sent) for t in talkers
                               if t.name.startswith(route)))
        env.check(got == want, "backend %s received every message (%d bytes)"
                  % (route, len(got)))


harness.run(os.path.basename(__file__)[:-3], main)
