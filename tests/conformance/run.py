#!/usr/bin/python3
"""RFC 6455 conformance suite for a WebSocket echo server.

usage: run.py --url ws://HOST:PORT/PATH [--case GLOB]... [--max-message-size N]
              [--echo-stream] [--timeout S] [--json FILE] [--strict]
              [--verbose] [--list]

A black-box client on raw sockets (standard library only).  The server
under test must echo every text and binary message it receives; with
--echo-stream (servers that relay a byte stream, such as wsgated with
`framing = raw`) only the bytes of the echoed messages and their order are
compared, not message boundaries or types.

Every case names the RFC 6455 section it checks and what it requires, and
ends as PASS, NONSTRICT (allowed, but not the best behaviour) or FAIL.
Exit status: 0 when no case failed (with --strict: and none was
NONSTRICT), 1 otherwise, 2 for a usage error.  See README.md.
"""

import argparse
import base64
import fnmatch
import hashlib
import json
import os
import re
import select
import socket
import struct
import sys
import time
import urllib.parse

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
PASS, NONSTRICT, FAIL = "PASS", "NONSTRICT", "FAIL"
RANK = {PASS: 0, NONSTRICT: 1, FAIL: 2}
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CLOSE_WAIT = 1.0    # a failed connection's TCP close must follow its close frame this soon
LATE_WAIT = 2.0     # how much longer we wait for a late TCP close
FAST_WAIT = 2.0     # how long a fail-fast case waits before sending the rest
VALID_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


def utf8_ok(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def utf8_valid_prefix(data):
    """The bytes of DATA before its first invalid or incomplete sequence."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError as e:
        return data[:e.start]


def xor(data, key):
    if not data:
        return b""
    n = len(data)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None, key=None):
    """One client frame.  LENGTH announces another payload length than
    len(PAYLOAD) (the limits cases); KEY is the masking key (random)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4) if key is None else key
    return head + key + xor(payload, key)


def fragments(opcode, payload, count):
    """PAYLOAD as one message of COUNT frames."""
    n = len(payload)
    cut = [n * i // count for i in range(count + 1)]
    return b"".join(frame(opcode if i == 0 else CONT, payload[cut[i]:cut[i + 1]],
                          fin=i == count - 1) for i in range(count))


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def close_code(payload):
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def text_payload(n):
    return (b"Hello, RFC 6455! " * (n // 17 + 1))[:n]


def binary_payload(n):
    return (bytes(range(256)) * (n // 256 + 1))[:n]


class Abort(Exception):
    """The case cannot go on: FAIL with this detail."""


class Target:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws" or not u.hostname:
            raise ValueError("--url must be ws://HOST[:PORT]/PATH")
        self.host = u.hostname
        self.port = u.port or 80
        self.netloc = u.netloc
        self.path = (u.path or "/") + ("?" + u.query if u.query else "")

    def headers(self, key):
        return [("Host", self.netloc), ("Upgrade", "websocket"),
                ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
                ("Sec-WebSocket-Version", "13")]

    def request(self, key, start=None, headers=None):
        start = start or "GET %s HTTP/1.1" % self.path
        headers = self.headers(key) if headers is None else headers
        return ("%s\r\n%s\r\n" % (start, "".join("%s: %s\r\n" % h for h in headers))).encode()


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def tokens(headers, name):
    return [t.strip().lower() for v in headers.get(name, []) for t in v.split(",")]


class Conn:
    """One TCP connection to the server, non-blocking; every wait ends at
    the case's deadline at the latest."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.sock = socket.create_connection((ctx.target.host, ctx.target.port),
                                             timeout=max(0.1, ctx.left()))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.rbuf = bytearray()
        self.ws = False         # past the opening handshake: parse frames
        self.ended = None       # (time, "eof" | "reset") when the server ended TCP
        self.msgs = []          # complete data messages: (opcode, payload)
        self.pongs = []         # payloads of the pongs received
        self.close = None       # payload of the server's close frame
        self.close_at = None
        self.sent_close = False
        self.errors = []        # the server's own violations of RFC 6455
        self.partial = None     # [opcode, bytearray] of a message being received

    def _end(self, how):
        if self.ended is None:
            self.ended = (time.monotonic(), how)
            self.ctx.trace("TCP %s" % how)

    def _recv(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            self._end("reset")
            return
        if not data:
            self._end("eof")
            return
        self.rbuf += data
        if self.ws:
            self._parse()

    def send(self, data, chunk=None):
        """Write DATA (in writes of CHUNK bytes), reading meanwhile; False
        when the server ended TCP or the case's time ran out first."""
        self.ctx.trace("send %d bytes%s" % (len(data), " %d at a time" % chunk if chunk else ""))
        view = memoryview(data)
        pos = 0
        step = chunk or 1 << 18
        while pos < len(view):
            left = self.ctx.left()
            if self.ended or left <= 0:
                return False
            r, w, _ = select.select([self.sock], [self.sock], [], left)
            if r:
                self._recv()
            if w and not self.ended:
                try:
                    pos += self.sock.send(view[pos:pos + step])
                except BlockingIOError:
                    pass
                except OSError:
                    self._end("reset")
                    return False
        return True

    def pump(self, until, timeout=None):
        """Read until UNTIL() holds, the server ends TCP, or TIMEOUT (at
        most the case's remaining time) runs out; returns UNTIL()."""
        end = self.ctx.deadline
        if timeout is not None:
            end = min(end, time.monotonic() + timeout)
        while not until() and not self.ended:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                self._recv()
        return until()

    def wait_end(self, timeout):
        """Wait up to TIMEOUT for the server to end TCP; True if it did."""
        self.pump(lambda: False, timeout)
        return self.ended is not None

    def read_head(self):
        """The HTTP response head: (status, headers by lower-case name);
        status None if none came (the detail says why)."""
        self.pump(lambda: b"\r\n\r\n" in self.rbuf or len(self.rbuf) > 65536)
        head, sep, rest = bytes(self.rbuf).partition(b"\r\n\r\n")
        if not sep:
            why = ("TCP %s" % self.ended[1]) if self.ended else "timed out"
            return None, {}, "no HTTP response (%s, %d bytes)" % (why, len(head))
        self.rbuf = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        self.ctx.trace("response: %s" % lines[0])
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if not m:
            return None, headers, "malformed status line %r" % lines[0][:60]
        return int(m.group(1)), headers, ""

    def start_ws(self):
        self.ws = True
        self._parse()

    def _parse(self):
        b = self.rbuf
        while len(b) >= 2:
            n = b[1] & 0x7F
            hl = {126: 4, 127: 10}.get(n, 2)
            if len(b) < hl:
                return
            if n == 126:
                n = int.from_bytes(b[2:4], "big")
            elif n == 127:
                n = int.from_bytes(b[2:10], "big")
            masked = bool(b[1] & 0x80)
            if masked:
                hl += 4
            if len(b) < hl + n:
                return
            payload = bytes(b[hl:hl + n])
            if masked:
                payload = xor(payload, bytes(b[hl - 4:hl]))
            b0 = b[0]
            del b[:hl + n]
            self._frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, masked, payload)

    def _frame(self, fin, rsv, op, masked, payload):
        self.ctx.trace("recv frame op=%#x fin=%d len=%d%s" % (
            op, fin, len(payload),
            " code=%s" % close_code(payload) if op == CLOSE else ""))
        if self.close is not None:
            self.errors.append("the server sent a frame (opcode %#x) after its close frame" % op)
            return
        if masked:
            self.errors.append("the server sent a masked frame (RFC 6455 5.1)")
        if rsv:
            self.errors.append("the server set RSV bits (5.2)")
        if op >= 8:
            if not fin or len(payload) > 125:
                self.errors.append("the server sent an invalid control frame (5.5)")
            if op == PONG:
                self.pongs.append(payload)
            elif op == CLOSE:
                self.close = payload
                self.close_at = time.monotonic()
                code = close_code(payload)
                if len(payload) == 1 or (code is not None and code not in VALID_CODES) \
                        or not utf8_ok(payload[2:]):
                    self.errors.append("the server's close frame is invalid (code %s, %d bytes)"
                                       % (code, len(payload)))
            elif op != PING:
                self.errors.append("the server used reserved opcode %#x" % op)
            return
        if op == CONT:
            if self.partial is None:
                self.errors.append("the server sent a continuation frame outside a message")
                return
        elif op in (TEXT, BINARY):
            if self.partial is not None:
                self.errors.append("the server started a message inside another")
            self.partial = [op, bytearray()]
        else:
            self.errors.append("the server used reserved opcode %#x" % op)
            return
        self.partial[1] += payload
        if fin:
            mop, data = self.partial
            self.partial = None
            if mop == TEXT and not utf8_ok(bytes(data)):
                self.errors.append("the server sent a text message that is not UTF-8")
            self.msgs.append((mop, bytes(data)))

    def close_sock(self):
        self.sock.close()


class Ctx:
    """One running case: its deadline, its connections, its verdict."""

    def __init__(self, args, target):
        self.args = args
        self.target = target
        self.stream = args.echo_stream
        self.max_size = args.max_message_size
        self.start = time.monotonic()
        self.deadline = self.start + args.timeout
        self.result = PASS
        self.notes = []
        self.conns = []

    def left(self):
        return self.deadline - time.monotonic()

    def trace(self, msg):
        if self.args.verbose:
            print("    %7.3f %s" % (time.monotonic() - self.start, msg), flush=True)

    def note(self, msg):
        self.notes.append(msg)

    def grade(self, result, msg):
        if RANK[result] > RANK[self.result]:
            self.result = result
        self.notes.append("%s: %s" % (result, msg))

    def raw(self):
        c = Conn(self)
        self.conns.append(c)
        return c

    def connect(self):
        """A connection past a successful opening handshake."""
        c = self.raw()
        key = new_key()
        c.send(self.target.request(key))
        status, headers, why = c.read_head()
        if status != 101:
            raise Abort("opening handshake: %s" % (status or why))
        if headers.get("sec-websocket-accept") != [accept_of(key)]:
            raise Abort("opening handshake: wrong Sec-WebSocket-Accept %r"
                        % headers.get("sec-websocket-accept"))
        c.start_ws()
        return c


# ---------------------------------------------------------------- checks

def echo_covered(ctx, msgs, expect):
    if ctx.stream:
        return sum(len(p) for _, p in msgs) >= sum(len(p) for _, p in expect)
    return len(msgs) >= len(expect)


def check_echo(ctx, msgs, expect):
    """The messages received are the echo of EXPECT."""
    if ctx.stream:
        got = b"".join(p for _, p in msgs)
        want = b"".join(p for _, p in expect)
        if got == want:
            ctx.note("%d bytes echoed in %d message(s)" % (len(got), len(msgs)))
            return
        diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        ctx.grade(FAIL, "echo: got %d bytes, sent %d, first difference at byte %d"
                  % (len(got), len(want), diff))
        return
    if msgs == list(expect):
        ctx.note("%d message(s) echoed" % len(msgs))
        return
    for i, (a, b) in enumerate(zip(msgs, expect)):
        if a != b:
            ctx.grade(FAIL, "echo: message %d is %s of %d bytes, sent %s of %d bytes%s" % (
                i + 1, opname(a[0]), len(a[1]), opname(b[0]), len(b[1]),
                "" if a[0] != b[0] or len(a[1]) != len(b[1]) else " (content differs)"))
            return
    ctx.grade(FAIL, "echo: got %d message(s), sent %d" % (len(msgs), len(expect)))


def opname(op):
    return {TEXT: "text", BINARY: "binary"}.get(op, "opcode %#x" % op)


def closing_handshake(ctx, c, payload, codes, after=b"", chunk=None):
    """We send a close frame with PAYLOAD (then AFTER in the same write,
    CHUNK bytes per write):
    the server answers with a close whose code is in CODES (None: no code)
    and then closes TCP at once (5.5.1)."""
    before = (len(c.msgs), len(c.pongs))
    c.send(frame(CLOSE, payload) + after, chunk)
    c.sent_close = True
    if not c.pump(lambda: c.close is not None):
        raise Abort("no close frame in reply to ours (%s)"
                    % ("TCP %s" % c.ended[1] if c.ended else "timed out"))
    got = close_code(c.close)
    if got in codes:
        ctx.note("close %s echoed" % got)
    elif got in VALID_CODES or got is None:
        ctx.grade(NONSTRICT, "close reply %s, the echo %s expected" % (got, codes[0]))
    else:
        ctx.grade(FAIL, "close reply %s, the echo %s expected" % (got, codes[0]))
    if after and (len(c.msgs), len(c.pongs)) != before:
        ctx.grade(FAIL, "the server answered frames sent after our close frame")
    tcp_closed(ctx, c)


def tcp_closed(ctx, c):
    """After a closing handshake, the server closes TCP at once (5.5.1,
    7.1.1): within CLOSE_WAIT, else NONSTRICT within LATE_WAIT more."""
    if c.wait_end(max(0.0, c.close_at + CLOSE_WAIT - time.monotonic())):
        ctx.note("TCP closed %d ms after the close frame" % ((c.ended[0] - c.close_at) * 1000))
    elif c.wait_end(LATE_WAIT):
        ctx.grade(NONSTRICT, "TCP closed only %.1f s after the close frame" % (c.ended[0] - c.close_at))
    else:
        ctx.grade(FAIL, "TCP not closed by the server %.0f s after the closing handshake"
                  % (CLOSE_WAIT + LATE_WAIT))


def expect_failure(ctx, c, codes, partial=b"", alt=()):
    """The server fails the connection: a close frame with a code in CODES
    (one in ALT, or 1002 where 1007 is required: NONSTRICT), nothing it
    should have dropped echoed, and TCP closed without waiting for our
    reply."""
    c.pump(lambda: c.close is not None)
    if c.msgs and (not ctx.stream or not partial.startswith(b"".join(p for _, p in c.msgs))):
        ctx.grade(FAIL, "the server echoed data sent at or after the error")
    if c.pongs:
        ctx.grade(FAIL, "the server answered a ping sent after the error")
    if c.close is None:
        if c.ended:
            ctx.grade(NONSTRICT, "TCP %s without a close frame (close %s expected)"
                      % (c.ended[1], codes[0]))
        else:
            ctx.grade(FAIL, "the connection was not failed within %g s (close %s expected)"
                      % (ctx.args.timeout, codes[0]))
        return
    got = close_code(c.close)
    if got in codes:
        ctx.note("close %s" % got)
    elif got in alt or (got == 1002 and 1007 in codes):
        ctx.grade(NONSTRICT, "close %s, %s required" % (got, codes[0]))
    else:
        ctx.grade(FAIL, "close %s, %s required" % (got, codes[0]))
    if c.wait_end(max(0.0, c.close_at + CLOSE_WAIT - time.monotonic())):
        ctx.note("TCP closed %d ms after the close frame" % ((c.ended[0] - c.close_at) * 1000))
        return
    if not c.sent_close:
        c.send(frame(CLOSE, c.close[:2]))
        c.sent_close = True
        if c.wait_end(LATE_WAIT):
            ctx.grade(NONSTRICT, "TCP closed only after our close reply")
            return
    elif c.wait_end(LATE_WAIT):
        ctx.grade(NONSTRICT, "TCP closed only %.1f s after the close frame" % (c.ended[0] - c.close_at))
        return
    ctx.grade(FAIL, "TCP not closed after failing the connection")


def echo_first(ctx, c, pre):
    """Send the messages PRE and wait for their echo."""
    if not pre:
        return
    c.send(b"".join(frame(op, p) for op, p in pre))
    if not c.pump(lambda: echo_covered(ctx, c.msgs, pre)):
        raise Abort("no echo of the message(s) sent before the error")
    check_echo(ctx, c.msgs, pre)
    c.msgs = []


# ---------------------------------------------------------------- scenarios

def sc_echo(ctx, wire, expect, chunk=None, pings=()):
    """Send WIRE: the messages EXPECT come back, each ping payload in PINGS
    is answered, and the closing handshake completes."""
    c = ctx.connect()
    c.send(wire, chunk)
    c.pump(lambda: echo_covered(ctx, c.msgs, expect) and all(p in c.pongs for p in pings))
    for p in pings:
        if p not in c.pongs:
            ctx.grade(FAIL, "ping %r not answered" % p[:20])
    closing_handshake(ctx, c, close_payload(1000), (1000,))
    check_echo(ctx, c.msgs, expect)


def sc_fail(ctx, wire, codes, pre=(), partial=b"", chunk=None, first=None, trailer=True,
            alt=()):
    """After the echo of PRE, send WIRE (and a ping): the server fails the
    connection with a code in CODES.  With FIRST, FIRST is sent alone
    before WIRE and the server must fail on it (fail fast): failing only
    after WIRE is NONSTRICT.  PARTIAL: data before the error that a
    stream-relaying server may already have echoed."""
    c = ctx.connect()
    echo_first(ctx, c, pre)
    late = False
    if first is not None:
        c.send(first, chunk)
        late = not c.pump(lambda: c.close is not None, FAST_WAIT)
    if first is None or (late and not c.ended):
        c.send(wire + (frame(PING, b"after the error") if trailer else b""), chunk)
    expect_failure(ctx, c, codes, partial, alt)
    if first is not None and late and c.close is not None:
        ctx.grade(NONSTRICT, "failed only after the rest was sent, not within %g s of the "
                  "part that is already invalid" % FAST_WAIT)


def sc_close(ctx, payload, codes, after=b"", pre=(), chunk=None):
    c = ctx.connect()
    echo_first(ctx, c, pre)
    closing_handshake(ctx, c, payload, codes, after, chunk)


def sc_pings(ctx, payloads, chunk=None, lead=b""):
    """LEAD, then pings with distinct PAYLOADS: the latest is answered with
    its own payload (5.5.3 lets the server skip older ones); only older
    ones answered is NONSTRICT; a pong we did not ask for is a FAIL."""
    c = ctx.connect()
    c.send(lead + b"".join(frame(PING, p) for p in payloads), chunk)
    last = payloads[-1]
    c.pump(lambda: last in c.pongs)
    stray = [p for p in c.pongs if p not in payloads]
    if stray:
        ctx.grade(FAIL, "pong with a payload no ping had (%r)" % stray[0][:20])
    if last in c.pongs:
        ctx.note("%d of %d ping(s) answered, the latest among them" % (len(c.pongs), len(payloads)))
    elif c.pongs:
        ctx.grade(NONSTRICT, "only older pings answered (%d of %d)" % (len(c.pongs), len(payloads)))
    else:
        ctx.grade(FAIL, "no pong")
    closing_handshake(ctx, c, close_payload(1000), (1000,))


def sc_ping_in_place(ctx):
    """A ping between two fragments is answered before the message ends."""
    c = ctx.connect()
    c.send(frame(TEXT, b"fragment 1, ", fin=False) + frame(PING, b"in the middle"))
    in_place = c.pump(lambda: b"in the middle" in c.pongs, FAST_WAIT)
    c.send(frame(CONT, b"fragment 2"))
    c.pump(lambda: b"in the middle" in c.pongs and c.msgs)
    if in_place:
        ctx.note("pong before the last fragment")
    elif b"in the middle" in c.pongs:
        ctx.grade(NONSTRICT, "pong only after the last fragment was sent")
    else:
        ctx.grade(FAIL, "no pong")
    c.pump(lambda: echo_covered(ctx, c.msgs, [(TEXT, b"fragment 1, fragment 2")]))
    closing_handshake(ctx, c, close_payload(1000), (1000,))
    check_echo(ctx, c.msgs, [(TEXT, b"fragment 1, fragment 2")])


def sc_accept(ctx, build):
    """A valid upgrade request (BUILD(target, key) -> bytes): 101 with the
    right Sec-WebSocket-Accept, and the connection then works."""
    c = ctx.raw()
    key = new_key()
    c.send(build(ctx.target, key))
    status, headers, why = c.read_head()
    if status != 101:
        raise Abort("status %s, 101 required%s" % (status, why and " (%s)" % why))
    if headers.get("sec-websocket-accept") != [accept_of(key)]:
        ctx.grade(FAIL, "Sec-WebSocket-Accept %r, %r required"
                  % (headers.get("sec-websocket-accept"), accept_of(key)))
    if "websocket" not in tokens(headers, "upgrade"):
        ctx.grade(FAIL, "no Upgrade: websocket in the 101")
    if "upgrade" not in tokens(headers, "connection"):
        ctx.grade(FAIL, "no Connection: Upgrade in the 101")
    for h in ("sec-websocket-protocol", "sec-websocket-extensions"):
        if h in headers:
            ctx.grade(FAIL, "%s in the 101 though the request offered none" % h)
    ctx.note("101, accept ok")
    c.start_ws()
    c.send(frame(TEXT, b"after the handshake"))
    c.pump(lambda: echo_covered(ctx, c.msgs, [(TEXT, b"after the handshake")]))
    closing_handshake(ctx, c, close_payload(1000), (1000,))
    check_echo(ctx, c.msgs, [(TEXT, b"after the handshake")])


def sc_refuse(ctx, build, want, version_header=None):
    """An invalid request (BUILD(target, key) -> bytes): refused with status
    WANT (another 4xx: NONSTRICT).  VERSION_HEADER: the grade when the
    response lacks Sec-WebSocket-Version: 13."""
    c = ctx.raw()
    c.send(build(ctx.target, new_key()))
    status, headers, why = c.read_head()
    if status is None:
        ctx.grade(FAIL, "%s, %d required" % (why, want))
        return
    if status == want:
        ctx.note("status %d" % status)
    elif 400 <= status < 500:
        ctx.grade(NONSTRICT, "status %d, %d required" % (status, want))
    else:
        ctx.grade(FAIL, "status %d, %d required" % (status, want))
    if version_header:
        if "13" in tokens(headers, "sec-websocket-version"):
            ctx.note("Sec-WebSocket-Version: 13")
        else:
            ctx.grade(version_header, "no Sec-WebSocket-Version: 13 in the response")


# ---------------------------------------------------------------- the cases

class Case:
    def __init__(self, cid, category, section, title, run):
        self.id, self.category, self.section, self.title, self.run = \
            cid, category, section, title, run


CASES = []


def bind(fn, *a, **kw):
    """The scenario FN with its arguments after the case's context."""
    return lambda ctx: fn(ctx, *a, **kw)


def add(cid, category, section, title, fn, *a, **kw):
    CASES.append(Case(cid, category, section, title, bind(fn, *a, **kw)))


def lazy(fn):
    """A scenario whose arguments depend on the command line (CTX)."""
    return lambda ctx: fn(ctx)(ctx)


def framing_cases():
    sizes = (0, 1, 125, 126, 127, 128, 1000, 65535, 65536, 262144, 1048576)
    for op, name, gen in ((TEXT, "text", text_payload), (BINARY, "binary", binary_payload)):
        for n in sizes:
            bits = 7 if n < 126 else 16 if n < 65536 else 64
            add("framing.%s.%d" % (name, n), "framing", "5.2",
                "%s message of %d bytes (%d-bit length) in one write -> echoed" % (name, n, bits),
                sc_echo, frame(op, gen(n)), [(op, gen(n))])
        for n in (0, 1, 125, 126, 127, 128, 65535, 65536):
            add("framing.%s.%d.bytewise" % (name, n), "framing", "5.2",
                "%s message of %d bytes sent one byte per write -> echoed" % (name, n),
                sc_echo, frame(op, gen(n)), [(op, gen(n))], chunk=1)
    pipelined = [(TEXT if i % 2 else BINARY, binary_payload(i * 37) if i % 2 == 0 else text_payload(i * 37))
                 for i in range(20)]
    for name, msgs in (("text", [(TEXT, text_payload(i * 50)) for i in range(10)]),
                       ("binary", [(BINARY, binary_payload(i * 50 + 1)) for i in range(10)]),
                       ("mixed", pipelined)):
        add("framing.pipelined.%s" % name, "framing", "5.2",
            "%d %s messages in one write -> echoed in order" % (len(msgs), name),
            sc_echo, b"".join(frame(op, p) for op, p in msgs), msgs)


def ping_cases():
    for name, payload in (("empty", b""), ("1", b"!"), ("text", "ping ¿? €".encode()),
                          ("binary", binary_payload(125)[::-1][:64]), ("125", binary_payload(125))):
        add("ping.%s" % name, "ping", "5.5.2",
            "ping with a %d-byte payload -> pong with the same payload" % len(payload),
            sc_pings, [payload])
    add("ping.125.bytewise", "ping", "5.5.2",
        "125-byte ping sent one byte per write -> pong with the same payload",
        sc_pings, [binary_payload(125)], chunk=1)
    add("ping.126", "ping", "5.5",
        "ping with a 126-byte payload (control frames carry at most 125) -> 1002",
        sc_fail, frame(PING, binary_payload(126)), (1002,))
    add("ping.126.after-text", "ping", "5.5",
        "text message, then a 126-byte ping -> echo, then 1002",
        sc_fail, frame(PING, binary_payload(126)), (1002,), pre=[(TEXT, b"before")])
    add("ping.unsolicited-pong", "ping", "5.5.3",
        "unsolicited empty pong, then a text message -> pong ignored, text echoed",
        sc_echo, frame(PONG) + frame(TEXT, b"after the pong"), [(TEXT, b"after the pong")])
    add("ping.unsolicited-pong.payload", "ping", "5.5.3",
        "unsolicited pong with a payload, then a text message -> ignored, echoed",
        sc_echo, frame(PONG, b"unsolicited") + frame(TEXT, b"after the pong"), [(TEXT, b"after the pong")])
    add("ping.pong-then-ping", "ping", "5.5.3",
        "unsolicited pong, then a ping -> pong for the ping only",
        sc_pings, [b"the ping"], lead=frame(PONG, b"unsolicited"))
    for n, chunk in ((2, None), (10, None), (10, 1)):
        add("ping.several.%d%s" % (n, ".bytewise" if chunk else ""), "ping", "5.5.3",
            "%d pings%s -> at least the latest answered with its own payload"
            % (n, " one byte per write" if chunk else " in one write"),
            sc_pings, [b"ping %d" % i for i in range(n)], chunk=chunk)
    add("ping.between-fragments", "ping", "5.4",
        "ping between two fragments of a text message -> answered before the message ends",
        sc_ping_in_place)


def rsv_cases():
    kinds = (
        ("text", lambda r: frame(TEXT, b"reserved", rsv=r), b""),
        ("binary", lambda r: frame(BINARY, b"reserved", rsv=r), b""),
        ("ping", lambda r: frame(PING, b"reserved", rsv=r), b""),
        ("pong", lambda r: frame(PONG, b"reserved", rsv=r), b""),
        ("close", lambda r: frame(CLOSE, close_payload(1000), rsv=r), b""),
        ("continuation", lambda r: frame(TEXT, b"fragment 1", fin=False) +
         frame(CONT, b"reserved", rsv=r), b"fragment 1"),
    )
    for name, build, partial in kinds:
        for r in range(1, 8):
            bits = "+".join("RSV%d" % (i + 1) for i in range(3) if r & (4 >> i))
            add("rsv.%s.%d" % (name, r), "rsv", "5.2",
                "text message, then a %s frame with %s set (no extension) -> echo, then 1002"
                % (name, bits),
                sc_fail, build(r), (1002,), pre=[(TEXT, b"before")], partial=partial)


def opcode_cases():
    for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
        add("opcode.%d" % op, "opcode", "5.2",
            "empty frame with reserved opcode %d -> 1002" % op,
            sc_fail, frame(op), (1002,))
        add("opcode.%d.after-text" % op, "opcode", "5.2",
            "text message, then reserved opcode %d with a payload -> echo, then 1002" % op,
            sc_fail, frame(op, b"reserved opcode"), (1002,), pre=[(TEXT, b"before")])


def fragmentation_cases():
    text = text_payload(1000)
    data = binary_payload(1000)
    for op, name, payload in ((TEXT, "text", text), (BINARY, "binary", data)):
        for n in (2, 3, 10, 100):
            add("fragmentation.%s.%d" % (name, n), "fragmentation", "5.4",
                "%s message in %d fragments -> echoed as one message" % (name, n),
                sc_echo, fragments(op, payload, n), [(op, payload)])
        add("fragmentation.%s.3.bytewise" % name, "fragmentation", "5.4",
            "%s message in 3 fragments sent one byte per write -> echoed" % name,
            sc_echo, fragments(op, payload[:300], 3), [(op, payload[:300])], chunk=1)
        add("fragmentation.%s.empty-first-last" % name, "fragmentation", "5.4",
            "%s message: empty first fragment, data, empty last fragment -> echoed" % name,
            sc_echo, frame(op, b"", fin=False) + frame(CONT, payload[:100], fin=False) + frame(CONT),
            [(op, payload[:100])])
    add("fragmentation.all-empty", "fragmentation", "5.4",
        "text message of three empty fragments -> an empty message echoed",
        sc_echo, frame(TEXT, fin=False) + frame(CONT, fin=False) + frame(CONT), [(TEXT, b"")])
    big = binary_payload(65536)
    add("fragmentation.binary.64k.100", "fragmentation", "5.4",
        "64 KiB binary message in 100 fragments -> echoed",
        sc_echo, fragments(BINARY, big, 100), [(BINARY, big)])
    add("fragmentation.pong-between", "fragmentation", "5.4",
        "pong between two fragments -> ignored, message echoed",
        sc_echo, frame(TEXT, b"one ", fin=False) + frame(PONG, b"p") + frame(CONT, b"two"),
        [(TEXT, b"one two")])
    add("fragmentation.ping-between", "fragmentation", "5.4",
        "ping between two fragments (one write) -> pong, message echoed",
        sc_echo, frame(TEXT, b"one ", fin=False) + frame(PING, b"p") + frame(CONT, b"two"),
        [(TEXT, b"one two")], pings=[b"p"])
    add("fragmentation.controls-between", "fragmentation", "5.4",
        "ping, pong and ping between fragments -> the latest ping answered, message echoed",
        sc_echo, frame(TEXT, b"one ", fin=False) + frame(PING, b"p1") + frame(PONG, b"x") +
        frame(PING, b"p2") + frame(CONT, b"two"), [(TEXT, b"one two")], pings=[b"p2"])
    ten = b"".join(frame(BINARY if i == 0 else CONT, data[i * 100:(i + 1) * 100], fin=i == 9) +
                   (frame(PING, b"ping %d" % i) if i < 9 else b"") for i in range(10))
    add("fragmentation.ping-between-each", "fragmentation", "5.4",
        "binary message in 10 fragments with a ping after each of the first 9 "
        "-> the latest ping answered, message echoed",
        sc_echo, ten, [(BINARY, data)], pings=[b"ping 8"])
    add("fragmentation.two-messages", "fragmentation", "5.4",
        "fragmented text, then fragmented binary -> both echoed in order",
        sc_echo, fragments(TEXT, text[:200], 3) + fragments(BINARY, data[:200], 4),
        [(TEXT, text[:200]), (BINARY, data[:200])])
    add("fragmentation.after-whole", "fragmentation", "5.4",
        "whole text message, then a fragmented one -> both echoed",
        sc_echo, frame(TEXT, b"whole") + fragments(TEXT, b"in three parts", 3),
        [(TEXT, b"whole"), (TEXT, b"in three parts")])
    add("fragmentation.close-between", "fragmentation", "5.4",
        "first fragment of a text message, then close 1000 -> close 1000 echoed",
        sc_fragment_then_close)
    bad = (
        ("continuation-first", frame(CONT, b"no start"), b"",
         "continuation frame (FIN) without a message started"),
        ("continuation-first.nofin", frame(CONT, b"no", fin=False) + frame(CONT, b"start"), b"",
         "continuation without FIN, then one with FIN, no message started"),
        ("continuation-after-whole", frame(TEXT, b"whole") + frame(CONT, b"late"), b"whole",
         "whole text message, then a continuation frame"),
        ("text-inside", frame(TEXT, b"one ", fin=False) + frame(TEXT, b"two"), b"one ",
         "text fragment, then a new text frame instead of a continuation"),
        ("binary-inside", frame(TEXT, b"one ", fin=False) + frame(BINARY, b"two"), b"one ",
         "text fragment, then a binary frame"),
        ("text-inside-binary", frame(BINARY, b"one ", fin=False) + frame(TEXT, b"two", fin=False) +
         frame(CONT, b"three"), b"one ", "binary fragment, then a text fragment, then a continuation"),
        ("text-after-continuation", frame(TEXT, b"one ", fin=False) + frame(CONT, b"two ", fin=False) +
         frame(TEXT, b"three"), b"one two ", "two fragments, then a new text frame"),
        ("ping", frame(PING, b"frag", fin=False), b"", "ping without FIN (fragmented control frame)"),
        ("ping-continued", frame(PING, b"frag", fin=False) + frame(CONT, b"mented"), b"",
         "ping without FIN, then a continuation"),
        ("pong", frame(PONG, b"frag", fin=False), b"", "pong without FIN"),
        ("close", frame(CLOSE, close_payload(1000), fin=False), b"", "close without FIN"),
    )
    for name, wire, partial, what in bad:
        add("fragmentation.bad.%s" % name, "fragmentation", "5.4",
            "%s -> 1002" % what, sc_fail, wire, (1002,), partial=partial)
    add("fragmentation.bad.continuation-first.bytewise", "fragmentation", "5.4",
        "continuation frame without a message started, one byte per write -> 1002",
        sc_fail, frame(CONT, b"no start"), (1002,), chunk=1, trailer=False)


def sc_fragment_then_close(ctx):
    """Close in the middle of a fragmented message: the closing handshake."""
    c = ctx.connect()
    c.send(frame(TEXT, b"unfinished ", fin=False))
    closing_handshake(ctx, c, close_payload(1000), (1000,))


KOSME = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
VALID_UTF8 = (
    ("ascii", b"Hello, world"),
    ("empty", b""),
    ("hello-utf8", "Hello-µ@ßöäüàá-UTF-8!!".encode()),
    ("kosme", KOSME),
    ("first-1", b"\x00"), ("first-2", b"\xc2\x80"),
    ("first-3", b"\xe0\xa0\x80"), ("first-4", b"\xf0\x90\x80\x80"),
    ("last-1", b"\x7f"), ("last-2", b"\xdf\xbf"),
    ("last-3", b"\xef\xbf\xbf"), ("last-4", b"\xf4\x8f\xbf\xbf"),
    ("u+d7ff", b"\xed\x9f\xbf"), ("u+e000", b"\xee\x80\x80"),
    ("u+fffd", b"\xef\xbf\xbd"), ("u+fffe", b"\xef\xbf\xbe"),
    ("bom", b"\xef\xbb\xbfafter a BOM"),
    ("bmp", "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000).encode()),
    ("astral", "".join(chr(c) for c in range(0x10000, 0x110000, 0x101)).encode()),
)
INVALID_UTF8 = (
    ("continuation-80", b"\x80"), ("continuation-bf", b"\xbf"),
    ("continuations-2", b"\x80\xbf"), ("continuations-4", b"\x80\xbf\x80\xbf"),
    ("all-continuations", bytes(range(0x80, 0xC0))),
    ("lonely-start-2", b"\xc2 "), ("lonely-start-3", b"\xe0 "), ("lonely-start-4", b"\xf0 "),
    ("truncated-2", b"\xc2"), ("truncated-2-last", b"\xdf"),
    ("truncated-3", b"\xe0\xa0"), ("truncated-3-last", b"\xef\xbf"),
    ("truncated-4", b"\xf0\x90\x80"), ("truncated-4-last", b"\xf4\x8f\xbf"),
    ("truncated-then-ascii", b"\xe2\x82A"),
    ("5-byte", b"\xf8\x88\x80\x80\x80"), ("6-byte", b"\xfc\x84\x80\x80\x80\x80"),
    ("fe", b"\xfe"), ("ff", b"\xff"), ("fe-fe-ff-ff", b"\xfe\xfe\xff\xff"),
    ("overlong-2", b"\xc0\xaf"), ("overlong-3", b"\xe0\x80\xaf"),
    ("overlong-4", b"\xf0\x80\x80\xaf"), ("overlong-5", b"\xf8\x80\x80\x80\xaf"),
    ("overlong-max-2", b"\xc1\xbf"), ("overlong-max-3", b"\xe0\x9f\xbf"),
    ("overlong-max-4", b"\xf0\x8f\xbf\xbf"),
    ("overlong-nul-2", b"\xc0\x80"), ("overlong-nul-3", b"\xe0\x80\x80"),
    ("overlong-nul-4", b"\xf0\x80\x80\x80"),
    ("above-10ffff", b"\xf4\x90\x80\x80"), ("f5", b"\xf5\x80\x80\x80"),
    ("f7-max", b"\xf7\xbf\xbf\xbf"),
    ("surrogate-d800", b"\xed\xa0\x80"), ("surrogate-db7f", b"\xed\xad\xbf"),
    ("surrogate-db80", b"\xed\xae\x80"), ("surrogate-dbff", b"\xed\xaf\xbf"),
    ("surrogate-dc00", b"\xed\xb0\x80"), ("surrogate-df80", b"\xed\xbe\x80"),
    ("surrogate-dfff", b"\xed\xbf\xbf"),
    ("surrogate-pair", b"\xed\xa0\x80\xed\xb0\x80"),
    ("surrogate-pair-max", b"\xed\xaf\xbf\xed\xbf\xbf"),
    ("in-the-middle", KOSME + b"\xed\xa0\x80edited"),
)
SAMPLE_VALID = KOSME + "€𝄞".encode()
SAMPLE_INVALID = KOSME + b"\xed\xa0\x80edited"


def utf8_cases():
    for name, payload in VALID_UTF8:
        add("utf8.valid.%s" % name, "utf8", "8.1",
            "valid UTF-8 text (%s, %d bytes) -> echoed" % (name, len(payload)),
            sc_echo, frame(TEXT, payload), [(TEXT, payload)])
    for name, payload in INVALID_UTF8:
        add("utf8.invalid.%s" % name, "utf8", "8.1",
            "text message that is not UTF-8 (%s: %s) -> 1007"
            % (name, payload[:12].hex(" ") + (" ..." if len(payload) > 12 else "")),
            sc_fail, frame(TEXT, payload), (1007,), partial=utf8_valid_prefix(payload))
    for k in range(1, len(SAMPLE_VALID)):
        add("utf8.split.valid.%d" % k, "utf8", "5.6",
            "valid UTF-8 text in 2 fragments split after byte %d of %d -> echoed"
            % (k, len(SAMPLE_VALID)),
            sc_echo, frame(TEXT, SAMPLE_VALID[:k], fin=False) + frame(CONT, SAMPLE_VALID[k:]),
            [(TEXT, SAMPLE_VALID)])
    for k in range(1, len(SAMPLE_INVALID)):
        add("utf8.split.invalid.%d" % k, "utf8", "8.1",
            "text with a surrogate (ED A0 80 at bytes 12-14) in 2 fragments split "
            "after byte %d of %d -> 1007" % (k, len(SAMPLE_INVALID)),
            sc_fail, frame(TEXT, SAMPLE_INVALID[:k], fin=False) + frame(CONT, SAMPLE_INVALID[k:]),
            (1007,), partial=utf8_valid_prefix(SAMPLE_INVALID))
    add("utf8.split.valid.bytewise", "utf8", "5.6",
        "valid UTF-8 text in 1-byte fragments -> echoed",
        sc_echo, fragments(TEXT, SAMPLE_VALID, len(SAMPLE_VALID)), [(TEXT, SAMPLE_VALID)])
    add("utf8.split.invalid.bytewise", "utf8", "8.1",
        "text with a surrogate in 1-byte fragments -> 1007",
        sc_fail, fragments(TEXT, SAMPLE_INVALID, len(SAMPLE_INVALID)), (1007,),
        partial=utf8_valid_prefix(SAMPLE_INVALID))
    fast = (
        ("surrogate", KOSME + b"\xed\xa0\x80edited"),
        ("ff", b"valid, then \xff"),
        ("overlong", b"valid, then \xc0\xaf"),
        ("above-10ffff", b"valid, then \xf4\x90\x80\x80"),
    )
    for name, bad in fast:
        add("utf8.fail-fast.first-fragment.%s" % name, "utf8", "8.1",
            "first fragment not UTF-8 (%s), message unfinished -> 1007 before the last "
            "fragment is sent" % name,
            sc_fail, frame(CONT, b"the rest"), (1007,), first=frame(TEXT, bad, fin=False),
            partial=utf8_valid_prefix(bad))
    add("utf8.fail-fast.second-fragment", "utf8", "8.1",
        "valid first fragment, second fragment with a surrogate, third not yet sent -> 1007 "
        "before the third",
        sc_fail, frame(CONT, b"the rest"), (1007,),
        first=frame(TEXT, KOSME, fin=False) + frame(CONT, b"\xed\xa0\x80edited", fin=False),
        partial=KOSME)
    whole = frame(TEXT, SAMPLE_INVALID + text_payload(1000))
    head = header_length(1020) + 14
    add("utf8.fail-fast.within-frame", "utf8", "8.1",
        "first 14 payload bytes of a 1020-byte text frame, already invalid -> 1007 "
        "before the rest of the frame is sent",
        sc_fail, whole[head:], (1007,), first=whole[:head], partial=KOSME)
    whole = frame(TEXT, b"\xff" + text_payload(65535))
    add("utf8.fail-fast.within-frame.64k", "utf8", "8.1",
        "first 16 payload bytes of a 64 KiB text frame, byte 1 is FF -> 1007 before the "
        "rest of the frame is sent",
        sc_fail, whole[header_length(65536) + 16:], (1007,),
        first=whole[:header_length(65536) + 16])


def header_length(n):
    """The length of a masked frame's header for an N-byte payload."""
    return 6 + (0 if n < 126 else 2 if n < 65536 else 8)


def limit_cases():
    def header_only(op, n):
        """A frame header announcing N bytes, sent alone: the server must
        refuse it there; the payload follows only if it did not (and is
        small enough to send)."""
        if n > 64 << 20:
            return bind(sc_fail, b"", (1009,), first=frame(op, b"", length=n))
        whole = frame(op, binary_payload(n))
        return bind(sc_fail, whole[header_length(n):], (1009,),
                                 first=whole[:header_length(n)])
    add("limits.text.max+1", "limits", "10.4",
        "text frame header announcing max-message-size + 1 bytes, payload not sent -> 1009 "
        "at the header", lazy(lambda ctx: header_only(TEXT, ctx.max_size + 1)))
    add("limits.binary.max+1", "limits", "10.4",
        "binary frame header announcing max-message-size + 1 bytes, payload not sent -> 1009 "
        "at the header", lazy(lambda ctx: header_only(BINARY, ctx.max_size + 1)))
    add("limits.binary.4g", "limits", "10.4",
        "binary frame header announcing 2^32 bytes -> 1009 at the header",
        lazy(lambda ctx: header_only(BINARY, 1 << 32)))
    add("limits.binary.2^63-1", "limits", "10.4",
        "binary frame header announcing 2^63 - 1 bytes -> 1009 at the header",
        lazy(lambda ctx: header_only(BINARY, (1 << 63) - 1)))
    for name, op, n, extra in (("text.msb", TEXT, 1 << 63, b""),
                               ("binary.msb-all", BINARY, (1 << 64) - 1, b""),
                               ("binary.msb-5", BINARY, (1 << 63) | 5, b"12345")):
        wire = frame(op, b"", length=n, key=b"\0\0\0\0") + extra
        add("limits.%s" % name, "limits", "5.2",
            "64-bit length with the most significant bit set (%#x) -> 1002 (1009: "
            "NONSTRICT)" % n, sc_fail, wire, (1002,), trailer=False, alt=(1009,))

    def over_in_fragments(ctx):
        half = ctx.max_size // 2 + 1
        part = binary_payload(half)
        second = frame(CONT, part)
        return bind(sc_fail, second[header_length(half):], (1009,),
                                 first=frame(BINARY, part, fin=False) + second[:header_length(half)],
                                 partial=part)
    add("limits.fragments.header", "limits", "10.4",
        "fragment of max/2 + 1 bytes, then a header announcing as many again -> 1009 at "
        "that header", lazy(over_in_fragments))

    def over_in_many(ctx):
        n = ctx.max_size + 1
        part = text_payload(n)
        return bind(sc_fail, fragments(TEXT, part, 17), (1009,), partial=part)
    add("limits.fragments.many", "limits", "10.4",
        "text message of max-message-size + 1 bytes in 17 fragments -> 1009",
        lazy(over_in_many))

    def at_max(ctx):
        p = binary_payload(ctx.max_size)
        return bind(sc_echo, frame(BINARY, p), [(BINARY, p)])
    add("limits.binary.max", "limits", "10.4",
        "binary message of exactly max-message-size bytes -> echoed", lazy(at_max))


def close_cases():
    add("close.empty", "close", "5.5.1",
        "close frame without a payload -> a close in reply (empty or 1000), TCP closed",
        sc_close, b"", (None, 1000))
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                 3000, 3999, 4000, 4999):
        add("close.code.%d" % code, "close", "7.4.1",
            "close %d -> close %d echoed, TCP closed" % (code, code),
            sc_close, close_payload(code, b"bye"), (code,))
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
        add("close.code.%d" % code, "close", "7.4.2",
            "close with the invalid code %d -> 1002" % code,
            sc_fail, frame(CLOSE, close_payload(code)), (1002,))
    add("close.payload-1-byte", "close", "5.5.1",
        "close frame with a 1-byte payload -> 1002",
        sc_fail, frame(CLOSE, b"\x03"), (1002,))
    for name, reason in (("ff", b"bad \xff"), ("surrogate", b"\xed\xa0\x80"),
                         ("truncated", b"euro \xe2\x82")):
        add("close.reason.invalid-utf8.%s" % name, "close", "5.5.1",
            "close 1000 with a reason that is not UTF-8 (%s) -> 1007" % name,
            sc_fail, frame(CLOSE, close_payload(1000, reason)), (1007,))
    add("close.reason.123", "close", "5.5",
        "close 1000 with a 123-byte reason (125-byte payload) -> close 1000 echoed",
        sc_close, close_payload(1000, text_payload(123)), (1000,))
    add("close.reason.124", "close", "5.5",
        "close 1000 with a 124-byte reason (126-byte payload) -> 1002",
        sc_fail, frame(CLOSE, close_payload(1000, text_payload(124))), (1002,))
    add("close.reason.utf8", "close", "5.5.1",
        "close 1000 with a multi-byte UTF-8 reason -> close 1000 echoed",
        sc_close, close_payload(1000, KOSME + "€𝄞".encode()), (1000,))
    add("close.then-data", "close", "5.5.1",
        "close 1000, then a text message and a ping in the same write -> close echoed, "
        "neither answered",
        sc_close, close_payload(1000), (1000,),
        after=frame(TEXT, b"after the close") + frame(PING, b"after the close"))
    add("close.twice", "close", "5.5.1",
        "two close frames in one write -> one close in reply, TCP closed",
        sc_close, close_payload(1000), (1000,), after=frame(CLOSE, close_payload(1001)))
    add("close.after-message", "close", "5.5.1",
        "text message, then close 4000 -> echo, then close 4000 echoed",
        sc_close, close_payload(4000, b"done"), (4000,), pre=[(TEXT, b"before")])
    add("close.bytewise", "close", "5.5.1",
        "close 1000 with a reason, sent one byte per write -> close 1000 echoed",
        sc_close, close_payload(1000, b"one byte at a time"), (1000,), chunk=1)
    add("close.server-closes-tcp", "close", "7.1.1",
        "close 1000 -> close 1000 echoed and the server closes TCP first, at once",
        sc_close, close_payload(1000), (1000,))


def masking_cases():
    bad = (
        ("text", frame(TEXT, b"unmasked", mask=False), b""),
        ("text.empty", frame(TEXT, mask=False), b""),
        ("binary", frame(BINARY, b"unmasked", mask=False), b""),
        ("binary.64k", frame(BINARY, binary_payload(65536), mask=False), b""),
        ("ping", frame(PING, b"unmasked", mask=False), b""),
        ("pong", frame(PONG, b"unmasked", mask=False), b""),
        ("close", frame(CLOSE, close_payload(1000), mask=False), b""),
        ("continuation", frame(TEXT, b"masked ", fin=False) + frame(CONT, b"unmasked", mask=False),
         b"masked "),
    )
    for name, wire, partial in bad:
        add("masking.%s" % name, "masking", "5.1",
            "unmasked %s frame from the client -> 1002" % name.replace(".", " "),
            sc_fail, wire, (1002,), partial=partial)
    add("masking.after-text", "masking", "5.1",
        "masked text message, then an unmasked one -> echo, then 1002",
        sc_fail, frame(TEXT, b"unmasked", mask=False), (1002,), pre=[(TEXT, b"masked")])
    add("masking.zero-key", "masking", "5.3",
        "text frame masked with the key 00 00 00 00 (valid) -> echoed",
        sc_echo, frame(TEXT, b"zero key", key=b"\0\0\0\0"), [(TEXT, b"zero key")])


def with_headers(change):
    """A request builder: the valid request's header list passed through CHANGE."""
    return lambda t, key: t.request(key, headers=change(t.headers(key)))


def without(name):
    return with_headers(lambda hs: [h for h in hs if h[0].lower() != name.lower()])


def replaced(name, value):
    return with_headers(lambda hs: [(k, value if k.lower() == name.lower() else v) for k, v in hs])


def handshake_cases():
    ok = (
        ("valid", lambda t, key: t.request(key), "valid upgrade request"),
        ("lowercase-names", with_headers(lambda hs: [(k.lower(), v) for k, v in hs]),
         "header names in lower case"),
        ("upgrade-mixed-case", replaced("Upgrade", "WebSocket"), "Upgrade: WebSocket"),
        ("connection-list", replaced("Connection", "keep-alive, Upgrade"),
         "Connection: keep-alive, Upgrade"),
        ("connection-lowercase", replaced("Connection", "upgrade"), "Connection: upgrade"),
    )
    for name, build, what in ok:
        add("handshake.%s" % name, "handshake", "4.2.2",
            "%s -> 101 with the right Sec-WebSocket-Accept, then frames work" % what,
            sc_accept, build)
    refused = (
        ("post", lambda t, key: t.request(key, start="POST %s HTTP/1.1" % t.path), 400,
         "4.2.1", "POST instead of GET"),
        ("http-1.0", lambda t, key: t.request(key, start="GET %s HTTP/1.0" % t.path), 400,
         "4.2.1", "HTTP/1.0"),
        ("no-host", without("Host"), 400, "4.2.1", "no Host"),
        ("no-upgrade", without("Upgrade"), 400, "4.2.1", "no Upgrade"),
        ("upgrade-h2c", replaced("Upgrade", "h2c"), 400, "4.2.1", "Upgrade: h2c"),
        ("no-connection", without("Connection"), 400, "4.2.1", "no Connection"),
        ("connection-keep-alive", replaced("Connection", "keep-alive"), 400, "4.2.1",
         "Connection: keep-alive (no upgrade token)"),
        ("no-key", without("Sec-WebSocket-Key"), 400, "4.2.1", "no Sec-WebSocket-Key"),
        ("two-keys", with_headers(lambda hs: hs + [("Sec-WebSocket-Key", new_key())]), 400,
         "4.2.1", "two Sec-WebSocket-Key headers"),
        ("key-15-bytes", replaced("Sec-WebSocket-Key", base64.b64encode(b"x" * 15).decode()),
         400, "4.2.1", "Sec-WebSocket-Key of 15 bytes"),
        ("key-17-bytes", replaced("Sec-WebSocket-Key", base64.b64encode(b"x" * 17).decode()),
         400, "4.2.1", "Sec-WebSocket-Key of 17 bytes"),
        ("key-not-base64", replaced("Sec-WebSocket-Key", "!!!!not-base64-at-all!!!"), 400,
         "4.2.1", "Sec-WebSocket-Key that is not base64"),
        ("garbage", lambda t, key: bytes(range(1, 32)) + b"\xff\xfe\x80\r\n\r\n", 400, "4.2.1",
         "binary garbage instead of a request"),
        ("not-http", lambda t, key: b"hello there, this is no request\r\n\r\n", 400, "4.2.1",
         "a line that is not an HTTP request"),
        ("bad-header-line", with_headers(lambda hs: hs + [("this is not a header line", "")]),
         400, "4.2.1", "a header line without a name"),
        ("http-0.9", lambda t, key: ("GET %s\r\n\r\n" % t.path).encode(), 400, "4.2.1",
         "a request line without a version"),
    )
    for name, build, status, section, what in refused:
        add("handshake.%s" % name, "handshake", section,
            "%s -> HTTP %d" % (what, status), sc_refuse, build, status)
    add("handshake.no-version", "handshake", "4.4",
        "no Sec-WebSocket-Version -> HTTP 400 with Sec-WebSocket-Version: 13",
        sc_refuse, without("Sec-WebSocket-Version"), 400, version_header=NONSTRICT)
    for v in ("8", "14"):
        add("handshake.version-%s" % v, "handshake", "4.2.2",
            "Sec-WebSocket-Version: %s -> HTTP 426 with Sec-WebSocket-Version: 13" % v,
            sc_refuse, replaced("Sec-WebSocket-Version", v), 426, version_header=FAIL)


for _build in (framing_cases, ping_cases, rsv_cases, opcode_cases, fragmentation_cases,
               utf8_cases, limit_cases, close_cases, masking_cases, handshake_cases):
    _build()


# ---------------------------------------------------------------- running

def run_case(case, args, target):
    ctx = Ctx(args, target)
    try:
        case.run(ctx)
    except Abort as e:
        ctx.grade(FAIL, str(e))
    except OSError as e:
        ctx.grade(FAIL, "socket error: %s" % e)
    for c in ctx.conns:
        for err in dict.fromkeys(c.errors):
            ctx.grade(FAIL, err)
        c.close_sock()
    if time.monotonic() > ctx.deadline:
        ctx.grade(FAIL, "the case ran out of its %g s" % args.timeout)
    return ctx.result, "; ".join(ctx.notes), time.monotonic() - ctx.start


def main():
    p = argparse.ArgumentParser(description="RFC 6455 conformance suite for an echo server.")
    p.add_argument("--url", help="ws://HOST:PORT/PATH of the echo endpoint")
    p.add_argument("--case", action="append", metavar="GLOB",
                   help="run only the cases whose id matches GLOB (repeatable)")
    p.add_argument("--max-message-size", type=int, default=1 << 20, metavar="N",
                   help="the server's largest message, in bytes (default 1 MiB)")
    p.add_argument("--echo-stream", action="store_true",
                   help="the server relays a byte stream: compare the echoed bytes, "
                        "not message boundaries or types")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S",
                   help="time allowed per case (default 5 s)")
    p.add_argument("--json", metavar="FILE", help="write the results to FILE")
    p.add_argument("--strict", action="store_true", help="NONSTRICT counts as a failure too")
    p.add_argument("--verbose", action="store_true", help="trace every case's frames")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    args = p.parse_args()
    cases = [c for c in CASES if not args.case or any(fnmatch.fnmatch(c.id, g) for g in args.case)]
    if args.list:
        for c in cases:
            print("%-45s %-13s %-7s %s" % (c.id, c.category, c.section, c.title))
        return 0
    if not args.url:
        p.error("--url is required")
    if args.max_message_size < 1 << 20:
        p.error("--max-message-size must be at least 1048576 (the largest echo case)")
    try:
        target = Target(args.url)
    except ValueError as e:
        p.error(str(e))
    if not cases:
        p.error("no case matches")
    counts = {PASS: 0, NONSTRICT: 0, FAIL: 0}
    results = []
    started = time.monotonic()
    for c in cases:
        if args.verbose:
            print("  %s: %s" % (c.id, c.title), flush=True)
        result, detail, secs = run_case(c, args, target)
        counts[result] += 1
        print("%-45s %-13s §%-7s %-9s %s" % (c.id, c.category, c.section, result, detail),
              flush=True)
        results.append({"id": c.id, "category": c.category, "section": c.section,
                        "title": c.title, "result": result, "detail": detail,
                        "seconds": round(secs, 3)})
    summary = "%d PASS, %d NONSTRICT, %d FAIL" % (counts[PASS], counts[NONSTRICT], counts[FAIL])
    print("%s (%d cases, %.1f s)" % (summary, len(cases), time.monotonic() - started))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"url": args.url, "summary": counts, "cases": results}, f, indent=1)
    return 1 if counts[FAIL] or (args.strict and counts[NONSTRICT]) else 0


if __name__ == "__main__":
    sys.exit(main())
