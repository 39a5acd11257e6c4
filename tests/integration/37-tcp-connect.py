#!/usr/bin/python3
"""37-tcp-connect: tcp: backends.  A TCP connect may take time, so the
handshake is held, unanswered, until it completes (101), fails (502) or
outlives connect_timeout (504; with on_backend_down = close: 101, then
close 1013).

- relay over tcp:127.0.0.1:PORT and tcp:[::1]:PORT (echo backends), and
  over a name resolved at load (tcp:localhost:PORT);
- refused: a port nobody listens on -> 502, and nothing is connected;
- slow: a listener whose accept queue is full drops SYNs, so the connect
  hangs; the client gets no answer until the queue is drained and the
  kernel's SYN retransmission (1 s) gets through, then 101 and a relay;
- timing out: the same listener, never drained, with connect_timeout =
  1s -> 504 after about a second, and close 1013 with on_backend_down =
  close; the metrics count the connect errors;
- wsgated's backend socket has TCP keepalive (ss shows its timer).
"""
import asyncio
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
metrics_listen = 127.0.0.1:@METRICS@
{server_defaults}
[route /v4]
backend = tcp:127.0.0.1:@V4@

[route /v6]
backend = tcp:[::1]:@V6@

[route /name]
backend = tcp:localhost:@V4@

[route /refused]
backend = tcp:127.0.0.1:@REFUSED@

[route /slow]
backend = tcp:127.0.0.1:@FULL@

[route /timeout]
backend = tcp:127.0.0.1:@FULL@
connect_timeout = 1s

[route /timeout-close]
backend = tcp:127.0.0.1:@FULL@
connect_timeout = 1s
on_backend_down = close
"""


def unused_port():
    """A loopback port with no listener: bound, never listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def full_listener(env):
    """A listener with backlog 0 and one connection queued: Linux drops
    further SYNs while its accept queue is full."""
    lsock = env.closing(socket.socket())
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    filler = env.closing(socket.create_connection(("127.0.0.1", port), 2))
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
        hangs = False
    except socket.timeout:
        hangs = True
    finally:
        probe.close()
    env.require(hangs, "a connect to the full listener hangs")
    return lsock, filler, port


def main(env):
    v4 = env.backend("v4", harness.handler_echo, tcp="127.0.0.1")
    v6 = env.backend("v6", harness.handler_echo, tcp="::1")
    holder, refused = unused_port()
    env.closing(holder)
    lsock, filler, full = full_listener(env)
    metrics = harness.find_free_port()
    text = CONFIG
    for k, v in (("@V4@", v4.port), ("@V6@", v6.port),
                 ("@REFUSED@", refused), ("@FULL@", full),
                 ("@METRICS@", metrics)):
        text = text.replace(k, str(v))
    env.start(text)

    async def relay():
        for path, b, n in (("/v4", v4, 0), ("/v6", v6, 0), ("/name", v4, 1)):
            async with env.connect(path) as ws:
                await ws.send(b"over tcp " + path.encode())
                got = await asyncio.wait_for(ws.recv(), 5)
                env.check(got == b"over tcp " + path.encode(),
                          "%s: echoed through the TCP backend (%r)" % (path, got))
                if path == "/v4":
                    # wsgated's side of the backend connection is kept alive.
                    ss = subprocess.run(["ss", "-tnoH", "state", "established",
                                         "dport = :%d" % b.port],
                                        capture_output=True, text=True).stdout
                    env.check("timer:(keepalive" in ss,
                              "/v4: TCP keepalive on the backend socket (%r)"
                              % ss.strip())
            env.check(b.wait_conn(n).wait_eof(5),
                      "%s: the backend gets EOF after the client's close" % path)
    env.run_async(relay())

    async def refusals():
        for path, status in (("/refused", 502), ("/timeout", 504)):
            t0 = time.monotonic()
            try:
                async with env.connect(path):
                    env.check(False, "%s: handshake refused" % path)
            except websockets.exceptions.InvalidStatusCode as e:
                env.check(e.status_code == status, "%s: HTTP status %d == %d"
                          % (path, e.status_code, status))
            took = time.monotonic() - t0
            if path == "/timeout":
                env.check(0.9 <= took < 3, "/timeout: refused after "
                          "connect_timeout (%.2fs)" % took)
        t0 = time.monotonic()
        async with env.connect("/timeout-close") as ws:
            env.check(time.monotonic() - t0 >= 0.9,
                      "/timeout-close: 101 only once connect_timeout passed")
            env.check(await harness.wait_closed(ws, 5), "/timeout-close: closed")
            env.check_ws_closed(ws, 1013, "/timeout-close")
            env.check(ws.close_reason == "backend unavailable",
                      "/timeout-close: reason %r" % ws.close_reason)
    env.run_async(refusals())

    # The raw answer: a whole HTTP/1.1 response, then close.
    status, headers, head, body, how = harness.raw_http(env.port, "/refused")
    env.check(status == 502, "raw /refused: HTTP/1.1 502 (%r)" % head.split("\r\n")[0])
    env.check([v.lower() for v in headers.get("connection", [])] == ["close"],
              "raw /refused: 'Connection: close'")
    env.check(body == b"backend unavailable\n", "raw /refused: body %r" % body)
    status, headers, head, body, how = harness.raw_http(env.port, "/timeout", 5)
    env.check(status == 504, "raw /timeout: HTTP/1.1 504 (%r)" % head.split("\r\n")[0])
    env.check(body == b"backend timed out\n", "raw /timeout: body %r" % body)

    # Slow: held while the SYN is dropped, answered once it gets through.
    c = env.closing(harness.RawClient(env.port))
    c.send_request("/slow")
    c.sock.settimeout(0.6)
    try:
        early = c.sock.recv(1)
    except socket.timeout:
        early = None
    env.check(early is None, "/slow: no answer while the connect hangs (%r)" % early)
    lsock.settimeout(2)
    queued, _ = lsock.accept()
    queued.close()
    filler.close()
    t0 = time.monotonic()
    status = c.read_response_head(6)
    env.check(status == 101, "/slow: 101 once the connect completed (%r)" % status)
    conn = None
    try:
        conn, _ = lsock.accept()
    except socket.timeout:
        pass
    env.check(conn is not None, "/slow: wsgated's connection reached the listener "
              "(%.2fs after the queue was drained)" % (time.monotonic() - t0))
    if conn is not None and status == 101:
        env.closing(conn)
        c.send_frame(harness.OP_BINARY, b"late but here")
        conn.settimeout(5)
        env.check(conn.recv(100) == b"late but here", "/slow: relayed after the wait")
        conn.sendall(b"and back")
        f = c.recv_frame()
        env.check(f.payload == b"and back", "/slow: backend data reaches the client")
    c.close()

    # Nothing was ever accepted on the port nobody listens on; the
    # connect errors are counted.
    code, mtext = harness.http_get(
        lambda: socket.create_connection(("127.0.0.1", metrics)), "/metrics")
    samples = harness.metric_samples(mtext)
    for route in ("/refused", "/timeout", "/timeout-close"):
        n = samples.get('wsgate_backend_connect_errors_total{route="%s",reason="down"}'
                        % route)
        env.check(n is not None and n >= 1, "%s: connect errors counted (%r)" % (route, n))
    log = env.daemon_log()
    env.check("no connection within connect_timeout" in log,
              "the timeout is logged")
    # On loopback the refusal comes after connect() returned EINPROGRESS:
    # the held handshake's path, not an immediate error.
    env.check("BACKEND_ERROR: CONNECTING -> REJECTING" in log,
              "the refused connect was held, then answered")
    env.check("CONNECT_TIMEOUT: CONNECTING -> REJECTING" in log and
              "BACKEND_DOWN: CONNECTING -> ACCEPTING_DOWN" in log,
              "the timeouts went through CONNECTING")


harness.run(os.path.basename(__file__)[:-3], main)
