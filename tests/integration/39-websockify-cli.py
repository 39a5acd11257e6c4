#!/usr/bin/python3
"""39-websockify-cli: wsgate-websockify takes websockify's command line.
The same options go to Debian's websockify and to wsgate-websockify,
against the same targets, and a client must see the same from both:
relayed bytes both ways, the subprotocol picked for a client that offers
websockify's "binary", the files of --web, the target of a token from a
--token-plugin TokenFile map, a --unix-target.  Also: an option it does
not support is refused naming it, a client offering only base64 is
refused with a message, and --idle-timeout ends the server as
websockify's does.
"""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

WRAPPER = os.environ.get("WSGATE_WEBSOCKIFY") or os.path.join(
    os.path.dirname(harness.WSGATED), "wsgate-websockify")
WEBSOCKIFY = "/usr/bin/websockify"


class Server:
    """A server process on PORT, ended (SIGTERM, then SIGKILL) at cleanup."""

    def __init__(self, env, name, argv):
        self.name = name
        self.log = open(env.path(name + ".log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, WSGATED=harness.WSGATED),
                                     start_new_session=True)

    def wait_listening(self, port, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def main(env):
    harness_ok = os.access(WEBSOCKIFY, os.X_OK) and os.access(WRAPPER, os.X_OK)
    env.require(harness_ok, "websockify and wsgate-websockify are installed")
    tcp = env.backend("tcp", harness.handler_echo, tcp="127.0.0.1")
    unix = env.backend("unix", harness.handler_echo)
    web = env.path("web")
    os.mkdir(web)
    with open(os.path.join(web, "hello.txt"), "w") as f:
        f.write("hello from --web\n")
    tokens = env.path("tokens")
    with open(tokens, "w") as f:
        f.write("# websockify TokenFile\ndesk1: 127.0.0.1:%d\n" % tcp.port)

    cases = [
        ("target", ["127.0.0.1:%d" % tcp.port], "/", tcp),
        ("web", ["--web", web, "127.0.0.1:%d" % tcp.port], "/websockify", tcp),
        ("token", ["--token-plugin", "TokenFile", "--token-source", tokens],
         "/websockify?token=desk1", tcp),
        ("unix", ["--unix-target=%s" % unix.path], "/", unix),
    ]
    seen = {}
    for label, args, path, backend in cases:
        for prog in (WEBSOCKIFY, WRAPPER):
            port = harness.find_free_port()
            argv = [prog] + args[:-1] + ["127.0.0.1:%d" % port] + args[-1:] \
                if label in ("target", "web") else [prog] + args + ["127.0.0.1:%d" % port]
            srv = env.closing(Server(env, "%s-%s" % (label, os.path.basename(prog)), argv))
            env.require(srv.wait_listening(port), "%s: %s listens" % (label, " ".join(argv)))
            seen[(label, prog)] = env.run_async(client(env, port, path, label))
            srv.close()
    for label, _, _, _ in cases:
        a, b = seen[(label, WEBSOCKIFY)], seen[(label, WRAPPER)]
        env.check(a == b, "%s: the client sees the same from both\n  websockify:"
                  " %r\n  wsgate-websockify: %r" % (label, a, b))

    # Options websockify has and wsgated has not: refused, named.
    r = subprocess.run([WRAPPER, "--record=x", "6080", "localhost:5901"],
                       capture_output=True, env=dict(os.environ, WSGATED=harness.WSGATED))
    env.check(r.returncode == 2 and b"--record is not supported" in r.stderr,
              "--record refused, named (%d, %r)" % (r.returncode, r.stderr))
    r = subprocess.run([WRAPPER, "--print-config", "--heartbeat=20", "8080",
                        "localhost:5901"], capture_output=True,
                       env=dict(os.environ, WSGATED=harness.WSGATED))
    env.check(r.returncode == 0 and b"backend = tcp:localhost:5901" in r.stdout
              and b"ping_interval = 20000ms" in r.stdout
              and b"listen = 0.0.0.0:8080" in r.stdout,
              "--print-config shows the configuration (%r)" % r.stdout)

    # base64 only: refused with a message; --idle-timeout ends the server.
    port = harness.find_free_port()
    srv = env.closing(Server(env, "idle", [WRAPPER, "--idle-timeout=2",
                                           "127.0.0.1:%d" % port,
                                           "127.0.0.1:%d" % tcp.port]))
    env.require(srv.wait_listening(port), "--idle-timeout server listens")
    c = harness.RawClient(port)
    c.send_request("/", b"Sec-WebSocket-Protocol: base64\r\n")
    status = c.read_response_head()
    body, _ = c.read_rest()
    c.close()
    env.check(status == 400 and b"base64 subprotocol is not supported" in body,
              "base64 refused with a message (%r %r)" % (status, body))
    t0 = time.monotonic()
    try:
        rc = srv.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc = None
    env.check(rc == 0, "--idle-timeout=2: the server exits 0 (%r after %.1fs)"
              % (rc, time.monotonic() - t0))


async def client(env, port, path, label):
    """What a client sees: the subprotocol, an echo each way, a file."""
    out = {}
    async with websockets.connect("ws://127.0.0.1:%d%s" % (port, path),
                                  subprotocols=["binary"], ping_interval=None,
                                  compression=None, open_timeout=5) as ws:
        out["subprotocol"] = ws.subprotocol
        await ws.send(b"\x00binary\xff")
        out["binary"] = await asyncio.wait_for(ws.recv(), 5)
        await ws.send(b"x" * 70000)
        got = b""
        while len(got) < 70000:
            got += await asyncio.wait_for(ws.recv(), 5)
        out["big"] = len(got)
    async with websockets.connect("ws://127.0.0.1:%d%s" % (port, path),
                                  ping_interval=None, compression=None,
                                  open_timeout=5) as ws:
        out["no subprotocol"] = ws.subprotocol
        await ws.send(b"again")
        out["again"] = await asyncio.wait_for(ws.recv(), 5)
    if label == "web":
        code, body = harness.http_get(
            lambda: socket.create_connection(("127.0.0.1", port)), "/hello.txt")
        out["file"] = (code, body)
    return out


harness.run(os.path.basename(__file__)[:-3], main)
