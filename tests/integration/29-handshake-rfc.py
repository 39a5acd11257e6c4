#!/usr/bin/python3
"""29-handshake-rfc: every malformed opening handshake is refused as RFC
6455 4.2.1 requires (issue 12, section 2), over raw sockets:

- refused by wsgated's own check (src/handshake.c), before any route is
  looked up: not GET, HTTP/1.0, no Host, Upgrade not websocket, no
  upgrade token in Connection, no / two / bad Sec-WebSocket-Key (15 and
  17 bytes, not base64), no Sec-WebSocket-Version -> 400; Version 8 or
  14 -> 426; the version refusals carry Sec-WebSocket-Version: 13;
  each is one whole HTTP/1.1 response with Connection: close and the
  reason as its body, then EOF; each is logged with its reason and
  counted in wsgate_handshake_rejections_total by route and status;
- an Upgrade other than websocket or h2c, which libwebsockets answered
  with an HTTP/1.0 403 page, is ignored (lws-4.3.5-ignore-unknown-upgrade)
  and the request is a plain one: wsgated's 400 "not a WebSocket
  upgrade", logged and counted, or a static file; an h2c line before the websocket one is
  refused as "Upgrade is not websocket" (lws upgrades on the first);
- refused by libwebsockets' parser, with the project's patches: binary
  garbage, a line that is no request and a bad %-escape
  (lws-4.3.5-malformed-request-400: 400, and only that, where lws sent
  403 first); a header name with blanks, a blank before the colon and a
  header line without a colon (lws-4.3.5-header-name-token: 400, where
  lws took them for a header name and went on); those refusals are
  lws's own, so wsgated neither logs nor counts them;
- no refused client reaches the backend;
- still accepted: "Connection: keep-alive, Upgrade" (101, and messages
  are relayed both ways), and a header whose name is a prefix of a
  known one ("Ho: x", which lws used to let swallow the headers after
  it).
"""
import base64
import os
import re
import socket
import sys
import time

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

[static /www]
root = {dir}/www
"""


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def headers(key):
    return [("Host", "127.0.0.1"), ("Upgrade", "websocket"),
            ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", "13")]


def request(start="GET /echo HTTP/1.1", change=None, extra=()):
    """The valid request line START and headers, passed through CHANGE,
    with EXTRA lines added."""
    hs = headers(new_key())
    if change:
        hs = change(hs)
    lines = ["%s: %s" % h for h in hs] + list(extra)
    return ("%s\r\n%s\r\n\r\n" % (start, "\r\n".join(lines))).encode()


def without(name):
    return lambda hs: [h for h in hs if h[0] != name]


def replaced(name, value):
    return lambda hs: [(k, value if k == name else v) for k, v in hs]


# Refused by handshake_check(): (what, request, status, reason, version
# header, route counted).
CHECKED = [
    ("POST", request(start="POST /echo HTTP/1.1"), 400, "method is not GET",
     False, ""),
    ("HTTP/1.0", request(start="GET /echo HTTP/1.0"), 400,
     "not HTTP/1.1 or later", False, "/echo"),
    ("no Host", request(change=without("Host")), 400, "no Host", False, "/echo"),
    ("Upgrade: h2c", request(change=replaced("Upgrade", "h2c")), 400,
     "Upgrade is not websocket", False, "/echo"),
    ("Upgrade: h2c, then Upgrade: websocket",
     request(change=lambda hs: [("Upgrade", "h2c")] + hs), 400,
     "Upgrade is not websocket", False, "/echo"),
    ("no Connection", request(change=without("Connection")), 400,
     "Connection has no upgrade token", False, "/echo"),
    ("Connection: keep-alive", request(change=replaced("Connection", "keep-alive")),
     400, "Connection has no upgrade token", False, "/echo"),
    ("no key", request(change=without("Sec-WebSocket-Key")), 400,
     "no Sec-WebSocket-Key", False, "/echo"),
    ("two keys", request(extra=["Sec-WebSocket-Key: " + new_key()]), 400,
     "more than one Sec-WebSocket-Key", False, "/echo"),
    ("key of 15 bytes", request(change=replaced(
        "Sec-WebSocket-Key", base64.b64encode(b"x" * 15).decode())), 400,
     "Sec-WebSocket-Key is not base64 of 16 bytes", False, "/echo"),
    ("key of 17 bytes", request(change=replaced(
        "Sec-WebSocket-Key", base64.b64encode(b"x" * 17).decode())), 400,
     "Sec-WebSocket-Key is not base64 of 16 bytes", False, "/echo"),
    ("key not base64", request(change=replaced(
        "Sec-WebSocket-Key", "!!!!not-base64-at-all!!!")), 400,
     "Sec-WebSocket-Key is not base64 of 16 bytes", False, "/echo"),
    ("no version", request(change=without("Sec-WebSocket-Version")), 400,
     "no Sec-WebSocket-Version", True, "/echo"),
    ("version 8", request(change=replaced("Sec-WebSocket-Version", "8")), 426,
     "Sec-WebSocket-Version is not 13", True, "/echo"),
    ("version 14", request(change=replaced("Sec-WebSocket-Version", "14")), 426,
     "Sec-WebSocket-Version is not 13", True, "/echo"),
]

# An Upgrade lws does not know: a plain request, refused by wsgated's
# LWS_CALLBACK_HTTP (logged without peer and path).
PLAIN = [
    ("Upgrade: foo", request(change=replaced("Upgrade", "foo"))),
    ("Upgrade: websocket, foo", request(change=replaced("Upgrade", "websocket, foo"))),
]

# Refused by libwebsockets' parser (the project's patches): (what, request).
PARSER = [
    ("binary garbage", bytes(range(1, 32)) + b"\xff\xfe\x80\r\n\r\n"),
    ("not an HTTP request", b"hello there, this is no request\r\n\r\n"),
    ("a bad %-escape in the path", request(start="GET /echo%zz HTTP/1.1")),
    ("a header name with blanks", request(extra=["this is not a header line: "])),
    ("a blank before the colon", request(extra=["X-Test : 1"])),
    ("a tab in a header name", request(extra=["X\tTest: 1"])),
    ("a header line without a colon, last", request(extra=["nocolon"])),
    ("a header line without a colon, first",
     request(change=lambda hs: [("nocolon\r\nHost", "127.0.0.1")] + hs[1:])),
    ("a folded header line", request(extra=["X-Test: 1", " folded"])),
]


def exchange(env, data):
    """Send DATA on a new connection; (status, headers, head, body, end)."""
    c = harness.RawClient(env.port)
    try:
        c.sock.sendall(data)
        try:
            status = c.read_response_head()
        except socket.timeout:
            return None, {}, "", b"", "timeout"
        body, how = c.read_rest()
        return status, c.headers, c.head.decode("latin-1"), body, how
    finally:
        c.close()


def main(env):
    echo = env.backend("echo", harness.handler_echo)
    os.mkdir(env.path("www"))
    with open(env.path("www/index.html"), "wb") as f:
        f.write(b"<p>static</p>\n")
    mport = harness.find_free_port()
    env.start(CONFIG.replace("METRICS", "127.0.0.1:%d" % mport))

    counted = {}
    for what, data, status, reason, version, route in CHECKED:
        start = len(env.daemon_log())
        got, hdrs, head, body, how = exchange(env, data)
        env.check(got == status, "%s: HTTP %s (want %d)" % (what, got, status))
        env.check(head.startswith("HTTP/1.1 %d " % status),
                  "%s: an HTTP/1.1 status line (%r)" % (what, head[:40]))
        env.check(hdrs.get("connection") == ["close"],
                  "%s: Connection: close (%s)" % (what, hdrs.get("connection")))
        env.check(body == (reason + "\n").encode() and how == "eof",
                  "%s: the reason as the body, then EOF (%r, %s)" % (what, body, how))
        v = hdrs.get("sec-websocket-version")
        if version:
            env.check(v == ["13"], "%s: Sec-WebSocket-Version: 13 (%s)" % (what, v))
        else:
            env.check(v is None, "%s: no Sec-WebSocket-Version (%s)" % (what, v))
        pat = r"refused 127\.0\.0\.1:\d+ %s: %d %s$" % (
            re.escape("-" if route == "" else route), status, re.escape(reason))
        env.check(env.wait_log(pat, 5, start) is not None,
                  "%s: logged as %d %s" % (what, status, reason))
        counted[(route, status)] = counted.get((route, status), 0) + 1

    for what, data in PLAIN:
        start = len(env.daemon_log())
        got, hdrs, head, body, how = exchange(env, data)
        env.check(got == 400 and head.startswith("HTTP/1.1 400 "),
                  "%s: HTTP/1.1 400 (%r)" % (what, head[:40]))
        env.check(hdrs.get("connection") == ["close"],
                  "%s: Connection: close (%s)" % (what, hdrs.get("connection")))
        env.check(body == b"not a WebSocket upgrade\n" and how == "eof",
                  "%s: wsgated's reason as the body, then EOF (%r, %s)" % (what, body, how))
        env.check(env.wait_log(r"refused - -: 400 not a WebSocket upgrade$", 5, start)
                  is not None, "%s: logged" % what)
        counted[("", 400)] = counted.get(("", 400), 0) + 1

    # A kept-alive answer: the body is read by its Content-Length.
    c = env.closing(harness.RawClient(env.port))
    c.sock.sendall(request(start="GET /www/index.html HTTP/1.1",
                           change=replaced("Upgrade", "foo")))
    got = c.read_response_head()
    n = int(c.headers.get("content-length", ["0"])[0])
    while len(c.buf) < n:
        chunk = c.sock.recv(65536)
        if not chunk:
            break
        c.buf += chunk
    env.check(got == 200 and c.buf == b"<p>static</p>\n",
              "Upgrade: foo for a static file: 200 and the file (%s, %r)" % (got, c.buf))
    c.close()

    for what, data in PARSER:
        got, hdrs, head, body, how = exchange(env, data)
        env.check(got == 400, "%s: HTTP %s (want 400)" % (what, got))
        env.check(head.startswith("HTTP/1.1 400 "),
                  "%s: an HTTP/1.1 status line (%r)" % (what, head[:40]))
        env.check(hdrs.get("connection") == ["close"],
                  "%s: Connection: close (%s)" % (what, hdrs.get("connection")))
        env.check(body == b"" and how == "eof",
                  "%s: one response, then EOF (%r, %s)" % (what, body[:60], how))

    time.sleep(0.3)
    env.check(echo.accepted == 0,
              "no refused client reached the backend (%d connections)" % echo.accepted)

    # Still accepted, and relayed.
    for what, data in (
            ("Connection: keep-alive, Upgrade",
             request(change=replaced("Connection", "keep-alive, Upgrade"))),
            ("a header named Ho, a prefix of Host", request(
                change=lambda hs: [("Ho", "x")] + hs))):
        c = env.closing(harness.RawClient(env.port))
        c.sock.sendall(data)
        env.check(c.read_response_head() == 101, "%s: 101 (%s)" % (what, c.status))
        if c.status != 101:
            continue
        c.send_frame(harness.OP_BINARY, b"still relayed")
        got = b""
        while len(got) < len(b"still relayed"):
            got += c.recv_frame().payload
        env.check(got == b"still relayed", "%s: the echo came back (%r)" % (what, got))
        c.send_close(1000)
        f = c.recv_frame()
        env.check_close_code(f.close_code(), 1000, "%s: the close" % what)
        c.close()
    env.check(echo.accepted == 2, "the two accepted clients reached the backend (%d)"
              % echo.accepted)

    status, text = harness.http_get(
        lambda: socket.create_connection(("127.0.0.1", mport), timeout=5), "/metrics")
    env.require(status == 200, "GET /metrics: 200 (%s)" % status)
    m = harness.metric_samples(text)
    for (route, status), n in sorted(counted.items()):
        series = 'wsgate_handshake_rejections_total{route="%s",status="%d"}' % (
            route, status)
        env.check(m.get(series) == n, "%s == %d (%s)" % (series, n, m.get(series)))


harness.run("handshake-rfc", main)
