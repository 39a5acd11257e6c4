#!/usr/bin/python3
"""62-proxy-protocol: a "proxy" listener behind a balancer.  A PROXY
header (v1, v2, sent whole or in pieces, before HTTP and before TLS) from
an address in trusted_proxies names the client: the backend's metadata,
the per-IP limit and the session log line use it, and the log keeps the
balancer's address.  From an untrusted address, or with a malformed,
oversized or truncated header (bounded by handshake_timeout), the
connection is closed without a response, counted, and reaches no
backend; LOCAL keeps the balancer's own address.  X-Forwarded-For and
Forwarded count only from trusted peers.  127.0.0.2 is the trusted
balancer; 127.0.0.3 is a stranger.
"""
import base64
import json
import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
listen = 127.0.0.1:PPORT proxy
listen = 127.0.0.1:TPORT tls proxy
listen = [::1]:PPORT proxy
tls_cert = CERT
tls_key = KEY
trusted_proxies = 127.0.0.2 10.0.0.0/8 ::1/128
handshake_timeout = 1s
metrics_listen = 127.0.0.1:MPORT
{server_defaults}
[route /meta]
backend = unix:{dir}/meta.sock
metadata = json
max_connections_per_ip = 2

[route /pv2]
backend = unix:{dir}/pv2.sock
metadata = proxy-v2
"""

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
BALANCER = "127.0.0.2"
STRANGER = "127.0.0.3"


def v2(src, sport, dst="192.0.2.1", dport=443, cmd=0x21, tlvs=b""):
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport) + tlvs
    return SIG + bytes([cmd, 0x11]) + struct.pack("!H", len(body)) + body


def request(path="/meta", extra=b""):
    key = base64.b64encode(os.urandom(16))
    return (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: gw.example\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
            b"\r\nSec-WebSocket-Version: 13\r\n" + extra + b"\r\n")


def dial(port, source):
    v6 = ":" in source
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    s.bind((source, 0))
    s.connect(("::1" if v6 else "127.0.0.1", port))
    return s


def status_of(s, timeout=5):
    """The HTTP status wsgated answers, or 'eof'/'reset'/'timeout'."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                return "eof" if not data else data
            data += chunk
    except socket.timeout:
        return "timeout"
    except ConnectionResetError:
        return "reset"
    return int(data.split(b" ", 2)[1])


def metadata(env, meta, index):
    conn = meta.wait_conn(index)
    deadline = time.monotonic() + 5
    while b"\n" not in conn.received() and time.monotonic() < deadline:
        time.sleep(0.02)
    line = conn.received().split(b"\n", 1)[0]
    try:
        return json.loads(line)
    except ValueError:
        return {}


def metrics(env, mport):
    status, body = harness.http_get(
        lambda: socket.create_connection(("127.0.0.1", mport), timeout=5), "/metrics")
    return harness.metric_samples(body)


def proxied(env, result, mport):
    return metrics(env, mport).get('wsgate_proxy_headers_total{result="%s"}' % result)


def main(env):
    pport, tport, mport = (harness.find_free_port() for _ in range(3))
    ca = tlsca.CA(env.tmpdir, "t60")
    meta = env.backend("meta", harness.handler_record)
    pv2 = env.backend("pv2", harness.handler_record)
    config = (CONFIG.replace("PPORT", str(pport)).replace("TPORT", str(tport))
              .replace("MPORT", str(mport)).replace("CERT", ca.leaf_chain)
              .replace("KEY", ca.leaf_key))
    env.start(config)
    n = 0   # backend connections so far

    def through(port, source, data, what):
        """DATA from SOURCE to PORT must get 101: the socket, and the
        metadata the backend was given."""
        nonlocal n
        s = env.closing(dial(port, source))
        s.sendall(data)
        env.check(status_of(s) == 101, "%s: 101" % what)
        m = metadata(env, meta, n)
        n += 1
        return s, m

    # v1, whole, with the request in the same segment.
    s, m = through(pport, BALANCER, b"PROXY TCP4 198.51.100.7 192.0.2.1 40000 443\r\n" +
                   request(), "v1 from the balancer")
    env.check(m.get("client_address") == "198.51.100.7" and m.get("client_port") == 40000,
              "v1: the backend is told the client's address, not the balancer's (%r)" % m)
    s.close()
    env.check(env.wait_log(r"session \d+: end route /meta peer 198\.51\.100\.7:40000 via "
                           r"127\.0\.0\.2:\d+ ", 5) is not None,
              "v1: the session log line names the client and the balancer")

    # v2 with a TLV, fed in three pieces: the signature split, then the rest.
    s = env.closing(dial(pport, BALANCER))
    hdr = v2("203.0.113.9", 51000, tlvs=b"\x04\x00\x03abc")
    for piece in (hdr[:5], hdr[5:20], hdr[20:] + request()[:10], request()[10:]):
        s.sendall(piece)
        time.sleep(0.05)
    env.check(status_of(s) == 101, "v2 in pieces: 101")
    m = metadata(env, meta, n)
    n += 1
    env.check(m.get("client_address") == "203.0.113.9" and m.get("client_port") == 51000,
              "v2: the backend is told the client's address (%r)" % m)
    s.close()

    # metadata = proxy-v2 carries the client and the address it reached.
    s = env.closing(dial(pport, BALANCER))
    s.sendall(b"PROXY TCP4 198.51.100.77 192.0.2.9 41000 8443\r\n" + request("/pv2"))
    env.check(status_of(s) == 101, "proxy-v2 route: 101")
    conn = pv2.wait_conn(0)
    env.check(conn.wait_bytes(28), "proxy-v2 route: the backend got a header")
    got = conn.received()
    src, dst = socket.inet_ntoa(got[16:20]), socket.inet_ntoa(got[20:24])
    sport, dport = struct.unpack("!HH", got[24:28])
    env.check(got[:12] == SIG and (src, sport, dst, dport) == ("198.51.100.77", 41000,
                                                               "192.0.2.9", 8443),
              "proxy-v2 metadata: the client and the address it reached, from the header "
              "(%s:%d -> %s:%d)" % (src, sport, dst, dport))
    s.close()

    # IPv6 both ways: a balancer on ::1 naming an IPv6 client.
    s, m = through(pport, "::1", b"PROXY TCP6 2001:db8::70 2001:db8::1 4711 443\r\n" +
                   request(), "v1 TCP6 from an IPv6 balancer")
    env.check(m.get("client_address") == "2001:db8::70" and m.get("client_port") == 4711,
              "TCP6: the backend is told the IPv6 client (%r)" % m)
    s.close()
    env.check(env.wait_log(r"peer \[2001:db8::70\]:4711 via \[::1\]:\d+ ", 5) is not None,
              "TCP6: the log line names both in brackets")

    # LOCAL: the balancer speaks for itself.
    s, m = through(pport, BALANCER, SIG + b"\x20\x00\x00\x00" + request(), "v2 LOCAL")
    env.check(m.get("client_address") == BALANCER,
              "LOCAL: the balancer's own address stands (%r)" % m)
    s.close()

    # Refusals: a closed connection, no response, no backend, counted.
    before = {r: proxied(env, r, mport)
              for r in ("untrusted", "malformed", "oversized", "timeout", "closed")}
    cases = [
        ("untrusted", STRANGER, b"PROXY TCP4 198.51.100.8 192.0.2.1 1 2\r\n" + request(),
         "a stranger's header"),
        ("malformed", BALANCER, b"PROXY TCP4 198.51.100.8 192.0.2.1 1\r\n" + request(),
         "v1 with four fields"),
        ("malformed", BALANCER, request(), "no header at all"),
        ("malformed", BALANCER, SIG + b"\x21\x11\x00\x0e" + b"x" * 12 + b"\x01\x00" + request(),
         "v2 with a TLV cut short"),
        ("oversized", BALANCER, SIG + b"\x21\x11\xff\xff" + b"x" * 64, "v2 announcing 65535 bytes"),
        ("oversized", BALANCER, b"PROXY UNKNOWN " + b"x" * 200, "v1 without CR LF in 107 bytes"),
    ]
    for _, src, data, what in cases:
        s = env.closing(dial(pport, src))
        t0 = time.monotonic()
        s.sendall(data)
        got = status_of(s, 5)
        env.check(got in ("eof", "reset") and time.monotonic() - t0 < 0.9,
                  "%s: closed at once, no HTTP answer (%r)" % (what, got))
        s.close()
    s = env.closing(dial(pport, BALANCER))
    t0 = time.monotonic()
    s.sendall(b"PROXY TCP4 198.51.100.8 ")
    got = status_of(s, 5)
    took = time.monotonic() - t0
    env.check(got in ("eof", "reset") and 0.8 < took < 3,
              "a truncated header is closed after handshake_timeout (%r after %.2f s)" % (got, took))
    s.close()
    s = env.closing(dial(pport, BALANCER))
    s.sendall(b"PROXY TCP4 198.51.100.8 ")
    s.shutdown(socket.SHUT_WR)
    t0 = time.monotonic()
    got = status_of(s, 5)
    env.check(got in ("eof", "reset") and time.monotonic() - t0 < 0.9,
              "a header cut short by the peer's FIN is closed at once (%r)" % (got,))
    s.close()
    s = env.closing(dial(pport, BALANCER))
    t0 = time.monotonic()
    got = status_of(s, 5)
    env.check(got in ("eof", "reset") and time.monotonic() - t0 < 3,
              "a silent connection is closed after handshake_timeout (%r)" % (got,))
    s.close()
    time.sleep(0.2)
    after = {r: proxied(env, r, mport) for r in before}
    for r, want in (("untrusted", 1), ("malformed", 3), ("oversized", 2), ("timeout", 2),
                    ("closed", 1)):
        env.check(after[r] is not None and before[r] is not None and after[r] - before[r] == want,
                  "metrics: %d more %s (%r -> %r)" % (want, r, before[r], after[r]))
    time.sleep(0.3)
    env.check(len(meta.conns) == n,
              "no refused connection reached the backend (%d, %d)" % (len(meta.conns), n))

    # The per-IP limit counts clients, not the balancer: 2 per client.
    held = []
    for i, client in enumerate(("198.51.100.50", "198.51.100.50", "198.51.100.50",
                                "198.51.100.51")):
        s = env.closing(dial(pport, BALANCER))
        s.sendall(b"PROXY TCP4 %s 192.0.2.1 %d 443\r\n" % (client.encode(), 1000 + i) + request())
        held.append((client, status_of(s)))
        if held[-1][1] == 101:
            n += 1
    env.check([st for _, st in held] == [101, 101, 429, 101],
              "max_connections_per_ip = 2 per real client behind one balancer (%r)" % held)

    # X-Forwarded-For and Forwarded: believed from a trusted peer only.
    _, m = through(env.port, BALANCER, request(
        extra=b"X-Forwarded-For: 6.6.6.6, 198.51.100.60, 10.1.1.1\r\n"), "XFF via a trusted peer")
    env.check(m.get("client_address") == "198.51.100.60",
              "XFF: the right-most untrusted hop is the client (%r)" % m)
    _, m = through(env.port, BALANCER, request(
        extra=b'Forwarded: for=6.6.6.6, for="[2001:db8::60]:99";proto=https\r\n'),
        "Forwarded via a trusted peer")
    env.check(m.get("client_address") == "2001:db8::60",
              "Forwarded: the right-most hop, an IPv6 client (%r)" % m)
    _, m = through(env.port, STRANGER, request(
        extra=b"X-Forwarded-For: 198.51.100.61\r\nForwarded: for=198.51.100.62\r\n"),
        "XFF from a stranger")
    env.check(m.get("client_address") == STRANGER,
              "a stranger's XFF and Forwarded are ignored (%r)" % m)
    # Through the balancer, a client's own XFF is the client's word: ignored.
    _, m = through(pport, BALANCER, b"PROXY TCP4 198.51.100.70 192.0.2.1 7 443\r\n" +
                   request(extra=b"X-Forwarded-For: 1.2.3.4\r\n"), "PROXY then a client's own XFF")
    env.check(m.get("client_address") == "198.51.100.70",
              "a client behind the balancer cannot spoof XFF (%r)" % m)

    # tls proxy: the header comes before the TLS handshake.
    raw = env.closing(dial(tport, BALANCER))
    raw.sendall(b"PROXY TCP4 198.51.100.80 192.0.2.1 8080 443\r\n")
    ctx = tlsca.client_context(ca.root)
    try:
        t = ctx.wrap_socket(raw, server_hostname="localhost")
        t.sendall(request())
        st = status_of(t)
    except (OSError, ssl.SSLError) as e:
        st = repr(e)
    env.check(st == 101, "tls proxy: PROXY header, TLS, then 101 (%r)" % (st,))
    m = metadata(env, meta, n)
    n += 1
    env.check(m.get("client_address") == "198.51.100.80",
              "tls proxy: the backend is told the client's address (%r)" % m)
    env.check(proxied(env, "accepted", mport) >= 8, "metrics: headers accepted counted")

    # A reload turns the flag on for a listener: its new connections need
    # a header, on the same socket.
    env.check(env.reload(config.replace("listen = 127.0.0.1:{port}\n",
                                        "listen = 127.0.0.1:{port} proxy\n")),
              "reload: the plain listener becomes a proxy listener")
    s = env.closing(dial(env.port, BALANCER))
    s.sendall(request())
    env.check(status_of(s) in ("eof", "reset"), "after the reload a request without a header "
              "is refused")
    _, m = through(env.port, BALANCER, b"PROXY TCP4 198.51.100.90 192.0.2.1 9 443\r\n" +
                   request(), "after the reload, with a header")
    env.check(m.get("client_address") == "198.51.100.90",
              "after the reload the header names the client (%r)" % m)
    env.check(env.proc.poll() is None, "wsgated is still running")


harness.run(os.path.basename(__file__)[:-3], main)
