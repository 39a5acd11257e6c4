#!/usr/bin/python3
"""The fleet test: HAProxy (mode tcp, send-proxy-v2, option httpchk on
health_path, balance source) in front of three wsgated, each in its own
network namespace behind a veth pair (three loopback addresses when
namespaces cannot be made, said in the output), one real backend process,
and CLIENTS WebSocket clients, each from its own loopback address,
exchanging numbered messages.  It checks:

- the backends are told each client's own address, never HAProxy's;
- max_connections_per_ip applies per client behind the one balancer;
- a rolling restart (SIGTERM each instance in turn, wait for its exit,
  start it again) refuses no handshake, and every session it ends ends
  with 1001 after every answer the backend wrote (but the one answer a
  drain may cut, whose message the client then sends again);
- an instance killed with SIGKILL costs only its own sessions: those see
  the TCP connection drop (no close frame) and reconnect through the
  others; no message that a backend acknowledged is lost;
- every process and namespace is gone afterwards, also on failure.

    fleet.py WSGATED [CLIENTS]

Needs root (ip netns), haproxy and Debian's python3-websockets.
WSGATE_FLEET_LOOPBACK=1 uses the loopback addresses even where
namespaces work.  Prints
its figures and "fleet: passed" or "fleet: FAILED"; exits 0 or 1.
"""
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
WSGATED = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 306
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
INSTANCES = ("a", "b", "c")
PER_IP = 3
TAG = "%d" % (os.getpid() % 10000)
NET = 200 + os.getpid() % 50     # 10.NET.i.0/24, one per instance

WSGATE_INI = """\
[server]
listen = {addr}:8080 proxy
metrics_listen = {addr}:9100
trusted_proxies = {trusted}
health_path = /healthz
handshake_timeout = 5s
drain_delay = 1s
drain_spread = 1s
shutdown_timeout = 10s
close_timeout = 3s

[route /fleet]
backend = unix:{sock}
framing = lines
metadata = json
max_connections_per_ip = {per_ip}
idle_timeout = 0
ping_interval = 0
"""

HAPROXY_CFG = """\
global
    maxconn 4000
    stats socket {dir}/haproxy.sock mode 600 level admin

defaults
    mode tcp
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch 1

frontend ws
    bind 127.0.0.1:{port}
    default_backend wsgated

backend wsgated
    balance source
    hash-type consistent
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    default-server send-proxy-v2 check inter 200ms fall 1 rise 1
{servers}
"""

failures = []
checks = 0


def log(msg):
    print(msg, flush=True)


def check(cond, msg):
    global checks
    checks += 1
    log(("ok   - " if cond else "FAIL - ") + msg)
    if not cond:
        failures.append(msg)
    return cond


def sh(*args, check_rc=True):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=20)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr.strip()))
    return p


class Fleet:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="wsgate-fleet-", dir="/tmp")
        self.namespaces = []
        self.links = []
        self.procs = {}          # name -> Popen
        self.addr = {}           # instance -> its address
        self.use_netns = False
        self.hport = None
        self.backend = None
        self.haproxy = None

    # -- the network
    def net_up(self):
        try:
            if os.environ.get("WSGATE_FLEET_LOOPBACK"):
                raise RuntimeError("WSGATE_FLEET_LOOPBACK is set")
            for i, inst in enumerate(INSTANCES, 1):
                ns = "wsgf%s%s" % (TAG, inst)
                host, peer = "wf%s%sh" % (TAG, inst), "wf%s%sn" % (TAG, inst)
                sh("ip", "netns", "add", ns)
                self.namespaces.append(ns)
                sh("ip", "link", "add", host, "type", "veth", "peer", "name", peer)
                self.links.append(host)
                sh("ip", "link", "set", peer, "netns", ns)
                sh("ip", "addr", "add", "10.%d.%d.1/24" % (NET, i), "dev", host)
                sh("ip", "link", "set", host, "up")
                sh("ip", "netns", "exec", ns, "ip", "addr", "add",
                   "10.%d.%d.2/24" % (NET, i), "dev", peer)
                sh("ip", "netns", "exec", ns, "ip", "link", "set", peer, "up")
                sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
                self.addr[inst] = "10.%d.%d.2" % (NET, i)
            self.use_netns = True
            log("# network: three namespaces %s, veth pairs on 10.%d.1-3.0/24"
                % (", ".join(self.namespaces), NET))
        except (RuntimeError, OSError) as e:
            log("# network namespaces unavailable (%s): falling back to three loopback "
                "addresses 127.0.13.1-3 in one namespace" % e)
            self.net_down()
            for i, inst in enumerate(INSTANCES, 1):
                self.addr[inst] = "127.0.13.%d" % i

    def net_down(self):
        for host in self.links:
            sh("ip", "link", "del", host, check_rc=False)
        for ns in self.namespaces:
            # Nothing of ours may outlive its namespace.
            pids = sh("ip", "netns", "pids", ns, check_rc=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check_rc=False)
        self.links = []
        self.namespaces = []

    def trusted(self, i):
        return "10.%d.%d.1" % (NET, i) if self.use_netns else "127.0.0.1"

    # -- processes
    def start_backend(self):
        specs = ["%s=%s/%s.sock" % (inst, self.dir, inst) for inst in INSTANCES]
        self.backend_out = os.path.join(self.dir, "backend.json")
        self.procs["backend"] = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "backend.py"), self.backend_out] + specs,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "backend.log"), "w"))
        deadline = time.monotonic() + 10
        while not all(os.path.exists("%s/%s.sock" % (self.dir, i)) for i in INSTANCES):
            if time.monotonic() > deadline:
                raise RuntimeError("the backend did not listen")
            time.sleep(0.05)

    def start_wsgated(self, inst):
        i = INSTANCES.index(inst) + 1
        conf = os.path.join(self.dir, "%s.ini" % inst)
        with open(conf, "w") as f:
            f.write(WSGATE_INI.format(addr=self.addr[inst], trusted=self.trusted(i),
                                      sock="%s/%s.sock" % (self.dir, inst), per_ip=PER_IP))
        cmd = [WSGATED, "-c", conf]
        if self.use_netns:
            cmd = ["ip", "netns", "exec", self.namespaces[i - 1]] + cmd
        logf = open(os.path.join(self.dir, "%s.log" % inst), "a")
        self.procs[inst] = subprocess.Popen(cmd, stdout=logf, stderr=logf,
                                            stdin=subprocess.DEVNULL)
        logf.close()

    def start_haproxy(self):
        self.hport = free_port()
        servers = "".join("    server %s %s:8080\n" % (inst, self.addr[inst])
                          for inst in INSTANCES)
        cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(HAPROXY_CFG.format(dir=self.dir, port=self.hport, servers=servers))
        logf = open(os.path.join(self.dir, "haproxy.log"), "w")
        self.procs["haproxy"] = subprocess.Popen([HAPROXY, "-db", "-f", cfg],
                                                 stdout=logf, stderr=logf,
                                                 stdin=subprocess.DEVNULL)
        logf.close()

    def server_states(self):
        """HAProxy's view: {instance: 'UP' | 'DOWN' | ...}."""
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        try:
            s.connect(os.path.join(self.dir, "haproxy.sock"))
            s.sendall(b"show stat\n")
            with s.makefile("rb") as f:
                data = f.read()
        except OSError:
            return {}
        finally:
            s.close()
        lines = data.decode().splitlines()
        if not lines:
            return {}
        head = lines[0].lstrip("# ").split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(head, line.split(",")))
            if row.get("pxname") == "wsgated" and row.get("svname") in INSTANCES:
                out[row["svname"]] = row.get("status", "")
        return out

    def wait_state(self, inst, want, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.server_states().get(inst, "")
            if st.startswith(want):
                return True
            time.sleep(0.05)
        return False

    def stop(self, name, sig=signal.SIGTERM, timeout=15):
        p = self.procs.pop(name, None)
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
            return None

    def cleanup(self):
        for name in list(self.procs):
            self.stop(name, signal.SIGKILL, 5)
        self.net_down()

    def tail(self, name, n=30):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    """One client from its own address: numbered messages, each answered
    by the backend before the next; reconnects with backoff."""

    def __init__(self, idx, fleet, stats):
        self.cid = "c%d" % idx
        self.src = "127.13.%d.%d" % (idx // 250, idx % 250 + 1)
        self.fleet = fleet
        self.stats = stats
        self.seq = 0
        self.pending = None     # sent, not yet acknowledged
        self.acked = set()
        self.sessions = []

    async def run(self, stop):
        url = "ws://127.0.0.1:%d/fleet" % self.fleet.hport
        backoff = 0.1
        while not stop.is_set():
            try:
                ws = await websockets.connect(url, local_addr=(self.src, 0), open_timeout=10,
                                              ping_interval=None, compression=None,
                                              close_timeout=5, max_queue=None)
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
                self.stats["refused"].append((self.stats["phase"], self.cid, repr(e)))
                await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
                backoff = min(backoff * 2, 2)
                continue
            backoff = 0.1
            sess = {"port": ws.local_address[1], "inst": None, "received": 0, "code": None,
                    "phase": self.stats["phase"], "end_phase": None, "pending": None,
                    "first": None}
            self.sessions.append(sess)
            self.stats["sessions"] += 1
            try:
                while not stop.is_set():
                    if self.pending is None:
                        self.seq += 1
                        self.pending = self.seq
                    if sess["first"] is None:
                        sess["first"] = self.pending
                    await ws.send("%s %d" % (self.cid, self.pending))
                    reply = (await ws.recv()).split()
                    if reply[1:] != [self.cid, str(self.pending)]:
                        self.stats["bad_replies"] += 1
                    sess["inst"] = reply[0]
                    sess["received"] += 1
                    self.acked.add(self.pending)
                    self.pending = None
                    self.stats["messages"] += 1
                    await asyncio.sleep(random.uniform(0.2, 0.5))
                await ws.close()
                sess["code"] = ws.close_code
                sess["end_phase"] = "end"
            except websockets.exceptions.ConnectionClosed:
                sess["code"] = ws.close_code
                sess["end_phase"] = self.stats["phase"]
                sess["pending"] = self.pending
                self.stats["reconnects"] += 1
                # What a client should do on 1001 or a drop: back off, then
                # reconnect (the balancer picks another instance).
                await asyncio.sleep(random.uniform(0.05, 0.5))


async def per_ip_check(fleet):
    """Four sessions from one client address: the fourth is refused 429;
    balance source sends them all to one instance."""
    url = "ws://127.0.0.1:%d/fleet" % fleet.hport
    held, got = [], []
    for _ in range(PER_IP + 1):
        try:
            held.append(await websockets.connect(url, local_addr=("127.13.250.250", 0),
                                                 open_timeout=10, ping_interval=None))
            got.append(101)
        except websockets.exceptions.InvalidStatusCode as e:
            got.append(e.status_code)
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
            got.append(repr(e))
    for ws in held:
        await ws.close()
    return got


async def scenario(fleet):
    stats = {"phase": "start", "refused": [], "sessions": 0, "messages": 0,
             "reconnects": 0, "bad_replies": 0}
    clients = [Client(i, fleet, stats) for i in range(CLIENTS)]
    stop = asyncio.Event()
    tasks = []
    for c in clients:
        tasks.append(asyncio.create_task(c.run(stop)))
        await asyncio.sleep(0.005)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and min(len(c.acked) for c in clients) < 3:
        await asyncio.sleep(0.2)
    check(min(len(c.acked) for c in clients) >= 3,
          "all %d clients connected through HAProxy and exchanged messages" % CLIENTS)
    check(not stats["refused"], "no handshake refused while starting (%d)" % len(stats["refused"]))

    stats["phase"] = "per-ip"
    got = await per_ip_check(fleet)
    check(got == [101] * PER_IP + [429],
          "max_connections_per_ip = %d holds for one client behind HAProxy, "
          "not for the %d others (%r)" % (PER_IP, CLIENTS, got))

    loop = asyncio.get_running_loop()
    stats["phase"] = "rolling"
    refused_before = len(stats["refused"])
    t0 = time.monotonic()
    for inst in INSTANCES:
        rc = await loop.run_in_executor(None, fleet.stop, inst)
        check(rc == 0, "rolling restart: %s drained and exited 0 (%r)" % (inst, rc))
        check(await loop.run_in_executor(None, fleet.wait_state, inst, "DOWN"),
              "rolling restart: HAProxy marked %s down" % inst)
        fleet.start_wsgated(inst)
        check(await loop.run_in_executor(None, fleet.wait_state, inst, "UP"),
              "rolling restart: %s back and marked up" % inst)
        await asyncio.sleep(1)
    rolling_s = time.monotonic() - t0
    rolling_refused = stats["refused"][refused_before:]
    stats["phase"] = "steady"
    await asyncio.sleep(2)

    stats["phase"] = "sigkill"
    victim = "b"
    p = fleet.procs.pop(victim)
    p.kill()
    p.wait(5)
    check(await loop.run_in_executor(None, fleet.wait_state, victim, "DOWN"),
          "SIGKILL: HAProxy marked %s down" % victim)
    await asyncio.sleep(2)
    stats["phase"] = "recovered"
    fleet.start_wsgated(victim)
    check(await loop.run_in_executor(None, fleet.wait_state, victim, "UP"),
          "SIGKILL: %s restarted and marked up" % victim)
    await asyncio.sleep(2)

    stats["phase"] = "end"
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    return stats, clients, rolling_refused, rolling_s


def judge(fleet, stats, clients, rolling_refused, rolling_s):
    with open(fleet.backend_out) as f:
        conns = json.load(f)
    # A client that reconnects may get the same source port again: the
    # backend's record of a session is the one with its first message.
    by_port = {}
    for c in conns:
        by_port.setdefault((c["addr"], c["port"]), []).append(c)

    def record(c, s):
        recs = by_port.get((c.src, s["port"]), [])
        mine = [r for r in recs if [c.cid, s["first"]] in r["seqs"]]
        return mine[0] if len(mine) == 1 else (recs[0] if len(recs) == 1
                                                  else None)
    srcs = {c.src for c in clients} | {"127.13.250.250"}
    addrs = {c["addr"] for c in conns}
    check(addrs <= srcs and len(conns) >= stats["sessions"],
          "the backends were told the clients' own addresses, never HAProxy's "
          "(%d connections, %d distinct addresses, strangers: %r)"
          % (len(conns), len(addrs), sorted(addrs - srcs)[:5]))

    sessions = [(c, s) for c in clients for s in c.sessions]
    rolled = [(c, s) for c, s in sessions if s["end_phase"] == "rolling"]
    killed = [(c, s) for c, s in sessions if s["end_phase"] in ("sigkill", "recovered")]
    other_ends = [(c, s) for c, s in sessions
                  if s["end_phase"] not in ("rolling", "sigkill", "recovered", "end", None)]
    check(not rolling_refused, "rolling restart: 0 handshakes refused (%d: %r)"
          % (len(rolling_refused), rolling_refused[:3]))
    check(len(rolled) >= CLIENTS // 2,
          "rolling restart ended %d sessions (each instance's)" % len(rolled))
    codes = {}
    for _, s in rolled:
        codes[s["code"]] = codes.get(s["code"], 0) + 1
    check(set(codes) == {1001}, "rolling restart: every session it ended got 1001 (%r)" % codes)
    cut, short = 0, []
    for c, s in rolled:
        be = record(c, s)
        if be is None:
            short.append((c.cid, "no backend record"))
            continue
        missing = be["written"] - s["received"]
        if missing == 1 and s["pending"] is not None:
            cut += 1        # its answer was in flight when the drain began
        elif missing != 0:
            short.append((c.cid, be["written"], s["received"]))
    check(not short, "rolling restart: each 1001 came after every answer its backend wrote "
          "(%d sessions, %d had one answer in flight at the drain; wrong: %r)"
          % (len(rolled), cut, short[:3]))
    kinst = {s["inst"] for _, s in killed}
    kcodes = {s["code"] for _, s in killed}
    check(killed and kinst == {"b"},
          "SIGKILL: only b's sessions ended (%d sessions, on %r)" % (len(killed), kinst))
    check(kcodes == {1006}, "SIGKILL: those clients saw the TCP drop, no close frame (%r)" % kcodes)
    check(not other_ends, "no session ended outside the restarts (%r)"
          % [(c.cid, s["code"], s["end_phase"]) for c, s in other_ends[:3]])
    check(all(s["code"] == 1000 for c in clients for s in c.sessions[-1:]),
          "every client was connected at the end and closed with 1000")
    # No acknowledged message lost: the backend has every number each
    # client got an answer for, and every number up to its last.
    got = {}
    for c in conns:
        for cid, seq in c["seqs"]:
            got.setdefault(cid, set()).add(seq)
    lost = [(c.cid, sorted(c.acked - got.get(c.cid, set()))[:3]) for c in clients
            if c.acked - got.get(c.cid, set())]
    gaps = [c.cid for c in clients
            if set(range(1, max(c.acked) + 1)) - got.get(c.cid, set())]
    check(not lost and not gaps, "no acknowledged message lost, no gap in any client's "
          "numbers (lost %r, gaps %r)" % (lost[:3], gaps[:3]))
    check(stats["bad_replies"] == 0, "every answer matched its message")
    resent = sum(len(c["seqs"]) for c in conns) - sum(len(v) for v in got.values())
    log("fleet: %d clients, %d sessions, %d messages acknowledged, %d reconnects, "
        "%d handshakes refused during the rolling restart (%.1f s), %d during the SIGKILL, "
        "%d sessions drained with 1001, %d dropped by SIGKILL, %d messages sent twice"
        % (CLIENTS, stats["sessions"], stats["messages"], stats["reconnects"],
           len(rolling_refused), rolling_s,
           sum(1 for p, _, _ in stats["refused"] if p in ("sigkill", "recovered")),
           len(rolled), len(killed), resent))


def interrupted(signo, frame):
    """Stopped from outside: clean up as on any failure."""
    raise KeyboardInterrupt()


def main():
    if WSGATED is None or not os.access(WSGATED, os.X_OK):
        log("usage: fleet.py WSGATED [CLIENTS]")
        return 1
    if os.geteuid() != 0:
        log("fleet: FAILED: needs root for ip netns")
        return 1
    example = os.path.join(HERE, "..", "..", "examples", "haproxy.cfg")
    p = subprocess.run([HAPROXY, "-c", "-f", example], capture_output=True, text=True)
    check(p.returncode == 0, "examples/haproxy.cfg is a valid HAProxy configuration (%s)"
          % (p.stdout + p.stderr).strip().splitlines()[-1:])
    fleet = Fleet()
    status = 1
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    try:
        fleet.net_up()
        fleet.start_backend()
        for inst in INSTANCES:
            fleet.start_wsgated(inst)
        fleet.start_haproxy()
        for inst in INSTANCES:
            if not check(fleet.wait_state(inst, "UP"), "HAProxy marked %s up" % inst):
                raise RuntimeError("the fleet did not come up")
        stats, clients, rolling_refused, rolling_s = asyncio.run(
            asyncio.wait_for(scenario(fleet), 240))
        fleet.stop("haproxy")
        for inst in INSTANCES:
            fleet.stop(inst)
        check(fleet.stop("backend") == 0, "the backend wrote its record")
        judge(fleet, stats, clients, rolling_refused, rolling_s)
        status = 0 if not failures else 1
    except (Exception, KeyboardInterrupt) as e:
        log("FAIL - %r" % (e,))
        failures.append(repr(e))
    finally:
        if failures:
            for name in ("haproxy.log", "a.log", "b.log", "c.log", "backend.log"):
                log("=== %s\n%s" % (name, fleet.tail(name)))
        fleet.cleanup()
        left = [ns for ns in sh("ip", "netns", "list", check_rc=False).stdout.split()
                if ns.startswith("wsgf%s" % TAG)]
        check(not left and not fleet.procs, "every process and namespace removed (%r)" % left)
        if not failures:
            shutil.rmtree(fleet.dir, ignore_errors=True)
        else:
            log("# logs kept in %s" % fleet.dir)
    log("fleet: %s (%d checks)" % ("passed" if not failures else "FAILED", checks))
    return 0 if not failures and status == 0 else 1


sys.exit(main())
