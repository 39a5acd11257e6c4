#!/usr/bin/python3
"""28-rfc-frames: every frame RFC 6455 says a server MUST fail the
connection on is failed at once, with the right close code, and what the
client sent after it is neither answered nor relayed (issue 12, section
1; each case names the libwebsockets patch in patches/ it needs):

- failing means: the close frame, then TCP closed right after it, without
  waiting for the client's reply (7.1.7; ws-fail-fast): an RSV bit on a
  binary frame, a reserved opcode, invalid UTF-8 -> 1002 / 1007;
- an unmasked data, control or continuation frame -> 1002 (5.1;
  ws-unmasked);
- a close frame with a 1-byte payload or a code no endpoint may send
  (999, 1005, 2999, 5000, 65535) -> 1002, with a reason that is not
  whole UTF-8 -> 1007 (5.5.1, 7.4; ws-invalid-close); 1012, 1013 and 1014
  are echoed and reach the backend like 1000;
- a ping over 125 bytes and a 64-bit length with its top bit set -> 1002
  with a close frame (5.2, 5.5; ws-length-errors);
- a frame header that takes a message past max_message_size -> 1009 as
  soon as the header is read, its payload never sent (10.4;
  ws-max-message), also when the earlier fragments fit; a message of
  exactly max_message_size passes;
- several pings while a pong is unsent: the latest one is answered, and
  a ping between fragments is answered (5.5.3; ws-latest-ping).

For each failure: the backend got the message before it and then EOF,
nothing after; the session's summary line says ended-by client and the
close code libwebsockets sent.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

MAX = 1000

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /rec]
backend = unix:{dir}/rec.sock
max_message_size = %d

[route /echo]
backend = unix:{dir}/echo.sock
max_message_size = %d
""" % (MAX, MAX)

OP_CONT = 0x0
frame = harness.encode_frame


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


# (what, the bytes that break the protocol, close code, patch)
FAILURES = [
    ("RSV1 on a binary frame", frame(harness.OP_BINARY, b"x", rsv=4), 1002,
     "ws-fail-fast"),
    ("reserved opcode 0xb", frame(0xB, b"x"), 1002, "ws-fail-fast"),
    ("invalid UTF-8 text", frame(harness.OP_TEXT, b"bad \xff"), 1007,
     "ws-fail-fast"),
    ("unmasked binary", frame(harness.OP_BINARY, b"x", mask=False), 1002,
     "ws-unmasked"),
    ("unmasked ping", frame(harness.OP_PING, b"x", mask=False), 1002,
     "ws-unmasked"),
    ("unmasked continuation",
     frame(harness.OP_BINARY, b"a", fin=False) +
     frame(OP_CONT, b"b", mask=False), 1002, "ws-unmasked"),
    ("close with 1 byte", frame(harness.OP_CLOSE, b"\x03"), 1002,
     "ws-invalid-close"),
    ("close code 999", frame(harness.OP_CLOSE, close_payload(999)), 1002,
     "ws-invalid-close"),
    ("close code 1005", frame(harness.OP_CLOSE, close_payload(1005)), 1002,
     "ws-invalid-close"),
    ("close code 2999", frame(harness.OP_CLOSE, close_payload(2999)), 1002,
     "ws-invalid-close"),
    ("close code 5000", frame(harness.OP_CLOSE, close_payload(5000)), 1002,
     "ws-invalid-close"),
    ("close code 65535", frame(harness.OP_CLOSE, close_payload(65535)), 1002,
     "ws-invalid-close"),
    ("close reason not UTF-8",
     frame(harness.OP_CLOSE, close_payload(1000, b"\xff")), 1007,
     "ws-invalid-close"),
    ("close reason truncated UTF-8",
     frame(harness.OP_CLOSE, close_payload(1000, b"ok \xe2\x82")), 1007,
     "ws-invalid-close"),
    ("ping of 126 bytes", frame(harness.OP_PING, b"p" * 126), 1002,
     "ws-length-errors"),
    ("64-bit length with the top bit",
     frame(harness.OP_BINARY, length=1 << 16)[:2] + b"\x80" + b"\0" * 7,
     1002, "ws-length-errors"),
    ("header over max_message_size",
     frame(harness.OP_BINARY, length=MAX + 1)[:8], 1009, "ws-max-message"),
    ("header of 2^63-1 bytes",
     frame(harness.OP_BINARY, length=(1 << 63) - 1)[:14], 1009,
     "ws-max-message"),
    ("fragments over max_message_size",
     frame(harness.OP_BINARY, b"f" * 600, fin=False) +
     frame(OP_CONT, length=MAX - 600 + 1)[:8], 1009, "ws-max-message"),
]

# Sent right after the error, in the same write: neither may be answered.
AFTER = frame(harness.OP_PING, b"late") + frame(harness.OP_BINARY, b"after\n")


def handler_record_then_wait(conn):
    conn.read_to_eof()
    time.sleep(1)


def read_close(c, timeout=5):
    """The first close frame, and the other frames before it."""
    others = []
    while True:
        f = c.recv_frame(timeout)
        if f.opcode == harness.OP_CLOSE:
            return f, others
        others.append(f)


def ended_without_reply(c, timeout=1.0):
    """True when the server closes TCP within TIMEOUT with no more frames."""
    try:
        f = c.recv_frame(timeout)
        harness.log("# unexpected frame after the close: %r" % f)
        return False
    except harness.ConnectionEnded:
        return True
    except socket.timeout:
        return False


def failures(env, rec):
    for i, (what, bad, code, patch) in enumerate(FAILURES):
        what = "%s (%s)" % (what, patch)
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/rec") == 101, "%s: 101" % what)
        c.sock.sendall(frame(harness.OP_BINARY, b"before\n"))
        conn = rec.wait_conn(i)
        env.check(conn.wait_bytes(7, 5), "%s: the message before arrived" % what)
        c.sock.sendall(bad + AFTER)
        sent = time.monotonic()
        try:
            close, others = read_close(c)
        except (harness.ConnectionEnded, socket.timeout) as e:
            env.check(False, "%s: a close frame (got %r)" % (what, e))
            c.close()
            continue
        env.check_close_code(close.close_code(), code, what)
        env.check(not others, "%s: no pong or data before the close (%r)"
                  % (what, others))
        # Failing the connection: TCP ends right after the close frame,
        # not after our reply (we send none) or close_timeout.
        env.check(ended_without_reply(c), "%s: TCP closed without our reply"
                  % what)
        env.check(time.monotonic() - sent < 1.5,
                  "%s: failed within 1.5 s (%.2f s)" % (what, time.monotonic() - sent))
        env.check(conn.wait_eof(5), "%s: backend saw EOF" % what)
        env.check(conn.received() == b"before\n",
                  "%s: backend got only the message before (%r)"
                  % (what, conn.received()[:40]))
        env.check(env.wait_log(r"session %d: end .* ended-by client "
                               r"close-sent %d " % (i + 1, code)) is not None,
                  "%s: the summary line says ended-by client, close-sent %d"
                  % (what, code))
        c.close()


def registered_codes(env, rec, first):
    """1012, 1013 and 1014 are valid: echoed, and they reach the backend's
    connection as a close (EOF for a raw route)."""
    for j, code in enumerate((1012, 1013, 1014)):
        what = "close code %d (ws-invalid-close)" % code
        c = env.closing(harness.RawClient(env.port))
        env.require(c.handshake("/rec") == 101, "%s: 101" % what)
        conn = rec.wait_conn(first + j)
        c.sock.sendall(frame(harness.OP_CLOSE, close_payload(code, b"bye")))
        try:
            close, _ = read_close(c)
            env.check_close_code(close.close_code(), code, what + " echoed")
        except (harness.ConnectionEnded, socket.timeout) as e:
            env.check(False, "%s: echoed (got %r)" % (what, e))
        env.check(conn.wait_eof(5), "%s: backend saw EOF" % what)
        env.check(env.wait_log(r"session %d: end .* ended-by client "
                               r"close-sent %d .*close-received %d"
                               % (first + j + 1, code, code)) is not None,
                  "%s: the summary line has it sent and received" % what)
        c.close()


def pings(env):
    """The latest of several pings is answered, and pings between the
    fragments of a message are answered (ws-latest-ping)."""
    what = "pings (ws-latest-ping)"
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/echo") == 101, "%s: 101" % what)
    c.sock.sendall(b"".join(frame(harness.OP_PING, b"ping %d" % k)
                            for k in range(10)))
    got = []
    try:
        while not got or got[-1] != b"ping 9":
            f = c.recv_frame(3)
            if f.opcode == harness.OP_PONG:
                got.append(f.payload)
    except (harness.ConnectionEnded, socket.timeout):
        pass
    env.check(got and got[-1] == b"ping 9",
              "%s: the latest of 10 pings is answered (pongs %r)" % (what, got))
    env.check(all(p.startswith(b"ping ") for p in got) and got == sorted(got),
              "%s: pongs carry ping payloads, in order (%r)" % (what, got))
    c.sock.sendall(frame(harness.OP_BINARY, b"frag", fin=False) +
                   frame(harness.OP_PING, b"p1") +
                   frame(OP_CONT, b"ment", fin=False) +
                   frame(harness.OP_PING, b"p2") +
                   frame(OP_CONT, b"ed\n"))
    pongs, data = [], b""
    try:
        while b"p2" not in pongs or len(data) < 11:
            f = c.recv_frame(3)
            if f.opcode == harness.OP_PONG:
                pongs.append(f.payload)
            else:
                data += f.payload
    except (harness.ConnectionEnded, socket.timeout):
        pass
    env.check(pongs and pongs[-1] == b"p2",
              "%s: a ping between fragments is answered (%r)" % (what, pongs))
    env.check(data == b"fragmented\n", "%s: the message is relayed (%r)"
              % (what, data))
    c.send_close(1000)
    try:
        close, _ = read_close(c)
        env.check_close_code(close.close_code(), 1000, what + ": close")
    except (harness.ConnectionEnded, socket.timeout) as e:
        env.check(False, "%s: close echoed (got %r)" % (what, e))
    c.close()


def exact_max(env):
    """A message of max_message_size bytes, in fragments, passes."""
    what = "a message of exactly max_message_size (ws-max-message)"
    c = env.closing(harness.RawClient(env.port))
    env.require(c.handshake("/echo") == 101, "%s: 101" % what)
    body = bytes(range(256)) * (MAX // 256) + b"z" * (MAX % 256)
    c.sock.sendall(frame(harness.OP_BINARY, body[:400], fin=False) +
                   frame(OP_CONT, body[400:]))
    data = b""
    try:
        while len(data) < MAX:
            f = c.recv_frame(3)
            data += f.payload
            env.require(f.opcode != harness.OP_CLOSE,
                        "%s: not closed (%r)" % (what, f.close_code()))
    except (harness.ConnectionEnded, socket.timeout) as e:
        harness.log("# %s: %r" % (what, e))
    env.check(data == body, "%s: echoed whole (%d bytes)" % (what, len(data)))
    c.close()


def main(env):
    rec = env.backend("rec", handler_record_then_wait, backlog=64)
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG)
    failures(env, rec)
    registered_codes(env, rec, len(FAILURES))
    pings(env)
    exact_max(env)


harness.run(os.path.basename(__file__)[:-3], main)
