#!/usr/bin/python3
"""55-fault-churn: many short sessions with mixed endings, after which
wsgated holds what it held before: the same number of open file
descriptors (/proc/PID/fd) and, within RSS_SLACK, the same resident
memory (VmRSS).

CYCLES sessions (10,000, in at most BUDGET seconds), one after another,
each ending one way, in turn: the client closes (1000 echoed, the
backend gets its message then EOF); the client drops TCP; the client
resets; the backend ends (1000 after its data); the backend resets
(1011); a message over max_message_size (1009); a path with no route
(404); a route whose backend is down (502).  Every session
checks what its client saw; the counts per ending are checked at the end.
A warm-up of WARMUP sessions comes before the baseline, so that
allocator pools and lws' tables have their steady size.  The RSS check is
skipped where WSGATE_RSS_BOUND_CHECK=0 (sanitizers, valgrind).
"""
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import faults

harness.TEST_TIMEOUT = 360
harness.HARD_TIMEOUT = 420

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
ping_interval = 0
{server_defaults}
[route /b]
backend = unix:{dir}/b.sock
framing = lines
max_message_size = 1k
[route /down]
backend = unix:{dir}/nobody.sock
"""

CYCLES = 10000
WARMUP = 100
BUDGET = 300
RSS_SLACK = 1024 * 1024
CHECK_RSS = os.environ.get("WSGATE_RSS_BOUND_CHECK", "1") != "0"


def handler(conn):
    """By the first line: 'eof' write a line and close; 'reset' close
    with the next message unread (the kernel resets the connection);
    else record until EOF.  The first line is read a byte at a time so
    that nothing after it is taken."""
    conn.sock.settimeout(10)
    buf = b""
    try:
        while not buf.endswith(b"\n"):
            chunk = conn.sock.recv(1)
            if not chunk:
                conn.eof.set()
                break
            buf += chunk
        with conn.lock:
            conn.data += buf
        if buf == b"eof\n":
            conn.sock.sendall(b"bye\n")
        elif buf == b"reset\n":
            select.select([conn.sock], [], [], 10)
        elif not conn.eof.is_set():
            conn.read_to_eof(10)
    except OSError as e:
        conn.error = e


def upgrade(env, path):
    c = harness.RawClient(env.port, timeout=10)
    return c, c.handshake(path, 10)


def until_end(c):
    """Frames until the server ends TCP: (close code or None, texts)."""
    code, texts = None, []
    try:
        while True:
            f = c.recv_frame(10)
            if f.opcode == harness.OP_CLOSE:
                code = f.close_code()
                if f.payload is not None:
                    c.send_close(code if code not in (None, 1005) else 1000)
            elif f.opcode == harness.OP_TEXT:
                texts.append(f.payload)
    except (harness.ConnectionEnded, OSError):
        pass
    return code, texts


def client_close(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, faults.seq_line(i))
    c.send_close(1000)
    code, _ = until_end(c)
    c.close()
    return None if code == 1000 else "close %r" % code


def client_drop(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, faults.seq_line(i))
    c.close()
    return None


def client_reset(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, faults.seq_line(i), fin=False)
    faults.linger0(c.sock)
    c.close()
    return None


def backend_eof(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, b"eof")
    code, texts = until_end(c)
    c.close()
    return None if code == 1000 and texts == [b"bye"] else "close %r %r" % (code, texts)


def backend_reset(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, b"reset")
    c.send_frame(harness.OP_TEXT, b"unread")
    code, _ = until_end(c)
    c.close()
    return None if code == 1011 else "close %r" % code


def too_big(env, i):
    c, st = upgrade(env, "/b")
    if st != 101:
        return "status %s" % st
    c.send_frame(harness.OP_TEXT, b"x" * 2000)
    code, _ = until_end(c)
    c.close()
    return None if code == 1009 else "close %r" % code


def no_route(env, i):
    c, st = upgrade(env, "/nowhere")
    c.close()
    return None if st == 404 else "status %s" % st


def backend_down(env, i):
    c, st = upgrade(env, "/down")
    c.close()
    return None if st == 502 else "status %s" % st


KINDS = (client_close, client_drop, client_reset, backend_eof, backend_reset,
         too_big, no_route, backend_down)


def main(env):
    env.backend("b", handler, backlog=64)
    env.start(CONFIG, debug=False)
    pid = env.proc.pid
    done = {k.__name__: 0 for k in KINDS}
    bad = {}

    def cycle(i):
        kind = KINDS[i % len(KINDS)]
        why = kind(env, i)
        done[kind.__name__] += 1
        if why is not None:
            bad.setdefault(kind.__name__, []).append(why)

    for i in range(WARMUP):
        cycle(i)
    time.sleep(0.5)
    base_fds = len(faults.fds(pid))
    base_rss = faults.rss(pid)
    t0 = time.monotonic()
    n = WARMUP
    while n < WARMUP + CYCLES and time.monotonic() - t0 < BUDGET:
        cycle(n)
        n += 1
    n -= WARMUP
    harness.log("# %d cycles in %.1f s; with the warm-up: %s" % (n, time.monotonic() - t0, done))
    env.check(n >= CYCLES, "%d cycles ran within %d s (%d)" % (CYCLES, BUDGET, n))
    for k in KINDS:
        env.check(k.__name__ not in bad, "%s: %d sessions, every one as designed%s"
                  % (k.__name__, done[k.__name__],
                     "" if k.__name__ not in bad else
                     " (%d not: %s)" % (len(bad[k.__name__]), bad[k.__name__][:3])))
    left = faults.wait_fds(pid, base_fds, 15)
    env.check(left <= base_fds, "wsgated holds %d file descriptors, no more than after the warm-up (%d)"
              % (left, base_fds))
    end_rss = faults.rss(pid)
    harness.log("# VmRSS %d KiB after the warm-up, %d KiB at the end" % (base_rss // 1024, end_rss // 1024))
    if CHECK_RSS:
        env.check(end_rss <= base_rss + RSS_SLACK, "VmRSS %d KiB within %d KiB of %d KiB"
                  % (end_rss // 1024, RSS_SLACK // 1024, base_rss // 1024))


harness.run(os.path.basename(__file__)[:-3], main)
