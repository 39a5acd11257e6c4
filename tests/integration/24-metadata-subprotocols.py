#!/usr/bin/python3
"""24-metadata-subprotocols: what a backend is told before any payload, and
Sec-WebSocket-Protocol negotiation (design.md, "What the backend receives";
issue 3).

- metadata = proxy-v2: a PROXY protocol v2 header, checked against the
  specification's byte layout: signature, version/command 0x21, TCP4 0x11,
  length, source and destination address and port, TLV 0x02 with the Host,
  TLV 0xE0 with path?query; then the client's bytes;
- metadata = json, raw framing: one JSON line first, whose values a client
  chose (query, Origin, Host) with quotes, backslashes and control
  characters escaped so the line stays one line and parses;
- metadata = json with length framing: a type-3 message first;
- subprotocols = chat superchat: the first of the client's list that the
  route offers is chosen and told to the backend; a client that asks only
  for others gets HTTP 400; a client that asks for none is served without.
"""
import asyncio
import ipaddress
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness

CONFIG = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /pp2]
backend = unix:{dir}/pp2.sock
metadata = proxy-v2

[route /json]
backend = unix:{dir}/json.sock
metadata = json
subprotocols = chat superchat

[route /jsonlen]
backend = unix:{dir}/jsonlen.sock
metadata = json
framing = length
"""

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def parse_pp2(data):
    """Return (header fields, rest) of a PROXY v2 header per the spec."""
    assert data[:12] == SIG, "signature"
    ver_cmd, fam = data[12], data[13]
    n = struct.unpack("!H", data[14:16])[0]
    body, rest = data[16:16 + n], data[16 + n:]
    src, dst = body[0:4], body[4:8]
    sport, dport = struct.unpack("!HH", body[8:12])
    tlvs, i = {}, 12
    while i < len(body):
        t, ln = body[i], struct.unpack("!H", body[i + 1:i + 3])[0]
        tlvs[t] = body[i + 3:i + 3 + ln]
        i += 3 + ln
    return dict(ver_cmd=ver_cmd, fam=fam, src=str(ipaddress.IPv4Address(src)),
                dst=str(ipaddress.IPv4Address(dst)), sport=sport, dport=dport,
                tlvs=tlvs, length=n), rest


def main(env):
    pp2 = env.backend("pp2", harness.handler_record)
    js = env.backend("json", harness.handler_record)
    jl = env.backend("jsonlen", harness.handler_record)
    env.start(CONFIG)

    async def client_pp2():
        ws = await env.connect("/pp2?x=1&y=2")
        local = ws.transport.get_extra_info("sockname")
        await ws.send(b"payload")
        await ws.close()
        return local
    local = env.run_async(client_pp2())
    conn = pp2.wait_conn(0)
    env.check(conn.wait_eof(5), "pp2: backend saw EOF")
    hdr, rest = parse_pp2(conn.received())
    env.check(hdr["ver_cmd"] == 0x21 and hdr["fam"] == 0x11,
              "pp2: version 2 PROXY, TCP over IPv4 (%#x %#x)" % (hdr["ver_cmd"], hdr["fam"]))
    env.check((hdr["src"], hdr["sport"]) == (local[0], local[1]),
              "pp2: source is the client %s:%d" % (hdr["src"], hdr["sport"]))
    env.check((hdr["dst"], hdr["dport"]) == ("127.0.0.1", env.port),
              "pp2: destination is wsgated's %s:%d" % (hdr["dst"], hdr["dport"]))
    env.check(hdr["tlvs"].get(0x02) == b"127.0.0.1:%d" % env.port,
              "pp2: authority TLV %r" % hdr["tlvs"].get(0x02))
    env.check(hdr["tlvs"].get(0xE0) == b"/pp2?x=1&y=2",
              "pp2: path TLV %r" % hdr["tlvs"].get(0xE0))
    env.check(rest == b"payload", "pp2: the client's bytes follow (%r)" % rest)


    async def client_json():
        ws = await env.connect("/json?q=%s" % "a%22b", origin="https://o.example",
                               subprotocols=["nope", "superchat", "chat"],
                               extra_headers={"X-Ignored": "1"})
        env.check(ws.subprotocol == "superchat",
                  "json: the first offered protocol in the client's order (%r)"
                  % ws.subprotocol)
        await ws.send(b"after")
        await ws.close()
    env.run_async(client_json())
    conn = js.wait_conn(0)
    env.check(conn.wait_eof(5), "json: backend saw EOF")
    line, _, rest = conn.received().partition(b"\n")
    try:
        meta = json.loads(line)
    except ValueError as e:
        meta = {}
        env.check(False, "json: the first line parses (%s: %r)" % (e, line))
    env.check(meta.get("path") == "/json" and meta.get("origin") == "https://o.example"
              and meta.get("subprotocol") == "superchat"
              and meta.get("client_address") == "127.0.0.1"
              and isinstance(meta.get("client_port"), int),
              "json: path, origin, subprotocol, client address and port (%r)" % meta)
    env.check(meta.get("query") == 'q=a"b',
              "json: the query, percent-decoded by libwebsockets (%r)" % meta.get("query"))
    env.check(rest == b"after", "json: the client's bytes follow the line (%r)" % rest)

    # A Host header with quotes, a backslash and control characters: the
    # metadata stays one JSON line.
    c = env.closing(harness.RawClient(env.port))
    c.sock.sendall(("GET /json HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n" % 'h"o\\st\x01').encode("latin-1"))
    env.check(c.read_response_head() == 101, "json: raw client with an odd Host gets 101")
    c.send_frame(harness.OP_BINARY, b"x")
    c.send_close(1000)
    c.close()
    conn = js.wait_conn(1)
    env.check(conn.wait_eof(5), "json: second backend saw EOF")
    line, _, rest = conn.received().partition(b"\n")
    try:
        env.check(json.loads(line).get("host") == 'h"o\\st\x01',
                  "json: an odd Host comes back intact from one line (%r)" % line)
    except ValueError as e:
        env.check(False, "json: odd Host line parses (%s: %r)" % (e, line))
    env.check(rest == b"x", "json: nothing of the header leaked past the line (%r)" % rest)

    async def refused():
        try:
            ws = await env.connect("/json", subprotocols=["nope", "other"])
            await ws.close()
            env.check(False, "unknown subprotocols only: refused")
        except Exception as e:
            env.check(getattr(e, "status_code", None) == 400,
                      "unknown subprotocols only: HTTP 400 (%r)" % e)
        ws = await env.connect("/json")
        env.check(ws.subprotocol is None, "no subprotocol asked, none chosen")
        await ws.close()
    env.run_async(refused())
    js.wait_conn(2)     # the last client's
    time.sleep(0.2)
    env.check(len(js.conns) == 3, "the refused client never reached the backend (%d)"
              % len(js.conns))

    async def client_len():
        ws = await env.connect("/jsonlen")
        await ws.send(b"z")
        await ws.close()
    env.run_async(client_len())
    conn = jl.wait_conn(0)
    env.check(conn.wait_eof(5), "jsonlen: backend saw EOF")
    data = conn.received()
    n = struct.unpack("!I", data[1:5])[0]
    env.check(data[0] == 3, "jsonlen: a type-3 message first (%r)" % data[:1])
    try:
        env.check(json.loads(data[5:5 + n]).get("path") == "/jsonlen",
                  "jsonlen: its payload is the JSON object")
    except ValueError:
        env.check(False, "jsonlen: payload parses (%r)" % data[5:5 + n])
    env.check(data[5 + n:5 + n + 6] == b"\x02\x00\x00\x00\x01z",
              "jsonlen: then the client's message (%r)" % data[5 + n:])


harness.run(os.path.basename(__file__)[:-3], main)
