#!/usr/bin/python3
"""32-systemd-notify: what wsgated tells systemd (design.md, "Command
line"; issue 5), read from NOTIFY_SOCKET pointed at a datagram socket of
this test, with WATCHDOG_USEC set:

  * READY=1 once listening; RELOADING=1 with MONOTONIC_USEC (the time of
    the reload) and then READY=1 around a reload, for a good and for a
    broken file; STOPPING=1 on SIGTERM; in that order, nothing else but
    WATCHDOG=1 and STATUS= in between;
  * WATCHDOG=1 at least every half WATCHDOG_USEC;
  * STATUS= counts the open sessions and tells of a failed reload.
"""
import asyncio
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""

BROKEN = CONFIG + "no_such_key = 1\n"

WATCHDOG_USEC = 600000


class Collector:
    """Every datagram sent to the notify socket, with its arrival time."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.msgs = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.msgs.append((time.monotonic(), data.decode()))

    def snapshot(self):
        with self.lock:
            return list(self.msgs)

    def wait_for(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, m in self.snapshot():
                if pred(m):
                    return m
            time.sleep(0.05)
        return None

    def close(self):
        self.stopping = True
        self.sock.close()
        self.thread.join(2)


def fields(msg):
    return dict(line.split("=", 1) for line in msg.split("\n") if "=" in line)


def main(env):
    env.backend("echo", harness.handler_echo)
    notify = env.closing(Collector(env.path("notify.sock")))
    os.environ["NOTIFY_SOCKET"] = env.path("notify.sock")
    os.environ["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    try:
        env.start(CONFIG)
    finally:
        del os.environ["NOTIFY_SOCKET"]
        del os.environ["WATCHDOG_USEC"]
    env.require(notify.wait_for(lambda m: "READY=1" in m) is not None,
                "READY=1 arrives")

    before = time.monotonic_ns() // 1000
    env.require(env.reload(CONFIG), "a good reload is taken")
    after = time.monotonic_ns() // 1000
    env.require(not env.reload(BROKEN), "a broken reload is refused")
    m = notify.wait_for(lambda m: "STATUS=reload failed" in m, 5)
    env.check(m is not None and "READY=1" in m,
              "READY=1 after a failed reload says so in STATUS= (%r)" % m)

    async def session():
        ws = await env.connect("/echo")
        m = await asyncio.get_running_loop().run_in_executor(
            None, notify.wait_for, lambda m: re.search(r"STATUS=.*\b1 sessions", m), 10)
        env.check(m is not None, "STATUS= counts the open session (%r)" % m)
        await ws.close()
    env.run_async(session())
    time.sleep(1.5)     # watchdog pings while idle

    proc, env.proc = env.proc, None
    proc.send_signal(signal.SIGTERM)
    env.check(proc.wait(15) == 0, "exit 0 after SIGTERM")
    notify.wait_for(lambda m: "STOPPING=1" in m, 5)
    msgs = notify.snapshot()

    states = []
    for t, m in msgs:
        f = fields(m)
        for key in ("READY", "RELOADING", "STOPPING"):
            if f.get(key) == "1":
                states.append(key)
    env.check(states == ["READY", "RELOADING", "READY", "RELOADING", "READY",
                         "STOPPING"],
              "READY, then RELOADING/READY per reload, then STOPPING (%s)" % states)
    reloading = [fields(m) for t, m in msgs if fields(m).get("RELOADING") == "1"]
    usec = int(reloading[0].get("MONOTONIC_USEC", "0")) if reloading else 0
    env.check(before <= usec <= after,
              "RELOADING=1 carries MONOTONIC_USEC of the reload (%d in [%d, %d])"
              % (usec, before, after))
    ready = [fields(m) for t, m in msgs if fields(m).get("READY") == "1"]
    env.check(ready and re.match(r"\d+ sessions, 1 routes", ready[0].get("STATUS", "")),
              "READY=1 comes with STATUS= (%r)" % (ready[0] if ready else None))
    stopping = [fields(m) for t, m in msgs if fields(m).get("STOPPING") == "1"]
    env.check(stopping and "draining: 0 sessions" in stopping[0].get("STATUS", ""),
              "STOPPING=1 comes with STATUS=draining (%r)" % stopping)
    pings = [t for t, m in msgs if "WATCHDOG=1" in m]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    env.check(len(pings) >= 4, "WATCHDOG=1 sent repeatedly (%d times)" % len(pings))
    # wsgated pings every half interval; what systemd needs is a ping
    # within each interval (the margin absorbs valgrind's slowness).
    env.check(gaps and max(gaps) < WATCHDOG_USEC / 1e6,
              "WATCHDOG=1 within every interval (largest gap %.3f s of %.3f)"
              % (max(gaps) if gaps else -1, WATCHDOG_USEC / 1e6))


harness.run(os.path.basename(__file__)[:-3], main)
