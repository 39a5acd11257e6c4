"""Shared helpers for the wsgated integration tests.

Each test script creates one Env, which owns everything the test starts:

  * a private temporary directory (configuration file, backend sockets,
    the daemon's stderr log), removed at the end;
  * a free TCP port on 127.0.0.1 for the daemon to listen on;
  * the wsgated process (started as `$WSGATED -d -c CONFIG`), stopped with
    SIGTERM at the end -- SIGKILL after 15 s, which counts as a failure;
  * backends: real servers on real UNIX-domain stream sockets, run in
    threads of the test process, recording every byte they receive and
    whether they then saw EOF;
  * raw TCP clients (RawClient) for peers that misbehave on purpose.

Tests are run as `/usr/bin/python3 NN-area-case.py` (Debian's interpreter,
with Debian's python3-websockets 10.4).  A test exits 0 when every check
passed and 1 otherwise; it never skips.  The whole test is bounded by
SIGALRM (TEST_TIMEOUT seconds), with a hard backstop that kills what the
test started and exits.

wsgated must never put the close codes 1005, 1006 or 1015 on the wire
(design.md, "When a session ends"): every helper that reads a close code
checks that (check_close_code).
"""

import asyncio
import base64
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

import websockets
import websockets.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))


def _default_wsgated():
    """For manual runs: the in-tree build, else scripts/build's build/."""
    top = os.path.normpath(os.path.join(HERE, "..", ".."))
    for p in (os.path.join(top, "src", "wsgated"),
              os.path.join(top, "build", "src", "wsgated")):
        if os.access(p, os.X_OK):
            return p
    return os.path.join(top, "src", "wsgated")


# absolute: wsgated runs in the test's temporary directory
WSGATED = os.path.abspath(os.environ.get("WSGATED") or _default_wsgated())

TEST_TIMEOUT = 45          # seconds for the test body
HARD_TIMEOUT = 60          # seconds before everything is killed, no matter what
FORBIDDEN_CLOSE_CODES = (1005, 1006, 1015)

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10

SERVER_DEFAULTS = """\
close_timeout = 2s
shutdown_timeout = 2s
"""


class TestFailure(Exception):
    """A check that the rest of the test depends on failed."""


class TestTimeout(BaseException):
    """The test body ran past TEST_TIMEOUT."""


def log(msg):
    try:
        print(msg, flush=True)
    except OSError:         # stdout gone (a closed pipe): keep cleaning up
        pass


# ---------------------------------------------------------------- backends

class BackendConn:
    """One connection accepted by a Backend, as the backend saw it."""

    def __init__(self, sock, index):
        self.sock = sock
        self.index = index
        self.data = bytearray()         # every byte received, in order
        self.eof = threading.Event()    # recv() returned b''
        self.done = threading.Event()   # the handler returned
        self.error = None               # exception seen while reading/writing
        self.lock = threading.Lock()

    def received(self):
        with self.lock:
            return bytes(self.data)

    def read_to_eof(self, timeout=20):
        """Read until EOF (or error, or timeout), recording everything."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(min(left, 0.5))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                self.error = e
                return False
            if not chunk:
                self.eof.set()
                return True
            with self.lock:
                self.data += chunk

    def wait_eof(self, timeout=10):
        return self.eof.wait(timeout)

    def wait_bytes(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.data) >= n:
                    return True
            if self.done.is_set():
                break
            time.sleep(0.01)
        with self.lock:
            return len(self.data) >= n


def handler_record(conn):
    """Record everything until EOF, then close."""
    conn.read_to_eof()


def handler_echo(conn):
    """Echo every chunk back until EOF, then close."""
    conn.sock.settimeout(0.5)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            chunk = conn.sock.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:
            conn.error = e
            return
        if not chunk:
            conn.eof.set()
            return
        with conn.lock:
            conn.data += chunk
        try:
            conn.sock.settimeout(10)
            conn.sock.sendall(chunk)
            conn.sock.settimeout(0.5)
        except OSError as e:
            conn.error = e
            return


def handler_send_then_close(payload):
    """Write PAYLOAD, then close the socket (orderly EOF)."""
    def handler(conn):
        try:
            conn.sock.settimeout(30)
            conn.sock.sendall(payload)
        except OSError as e:
            conn.error = e
    return handler


class Backend:
    """A UNIX-domain stream server in a thread (or, with TCP set to
    "127.0.0.1" or "::1", a TCP one on a free port of that address: PORT);
    HANDLER(conn) runs per accepted connection in its own thread, and the
    socket is closed when it returns."""

    def __init__(self, env, name, handler=handler_record, backlog=16,
                 kind=socket.SOCK_STREAM, tcp=None):
        self.env = env
        self.path = env.sock_path(name)
        self.handler = handler
        self.conns = []
        self.accepted = 0
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        if tcp is None:
            self.lsock = socket.socket(socket.AF_UNIX, kind)
            self.lsock.bind(self.path)
        else:
            self.lsock = socket.socket(socket.AF_INET6 if ":" in tcp
                                       else socket.AF_INET, kind)
            self.lsock.bind((tcp, 0))
            self.port = self.lsock.getsockname()[1]
        self.lsock.listen(backlog)
        self.lsock.settimeout(0.1)
        self.threads = []
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                s, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                conn = BackendConn(s, self.accepted)
                self.accepted += 1
                self.conns.append(conn)
                self.cond.notify_all()
            t = threading.Thread(target=self._run, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _run(self, conn):
        try:
            self.handler(conn)
        except Exception as e:      # a broken handler must not hang the test
            conn.error = e
        finally:
            conn.done.set()
            try:
                conn.sock.close()
            except OSError:
                pass

    def wait_conn(self, index=0, timeout=10):
        """The INDEX-th accepted connection, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.conns) <= index:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure("backend %s: no connection #%d within %.1fs"
                                      % (os.path.basename(self.path), index, timeout))
                self.cond.wait(left)
            return self.conns[index]

    def close(self):
        self.stopping.set()
        try:
            self.lsock.close()
        except OSError:
            pass
        self.thread.join(2)
        for c in list(self.conns):
            try:
                c.sock.close()
            except OSError:
                pass


# ---------------------------------------------------------------- raw client

def _mask(payload, key):
    if not payload:
        return b""
    n = len(payload)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length=None):
    """A frame; RSV sets the reserved bits (1-7), LENGTH announces another
    length than the payload's (for a header alone)."""
    b0 = (0x80 if fin else 0) | rsv << 4 | opcode
    n = len(payload) if length is None else length
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask:
        key = os.urandom(4)
        return head + key + _mask(payload, key)
    return head + payload


def deflate_message(data, wbits=15):
    """DATA as one permessage-deflate message payload (RFC 7692 7.2.1):
    raw deflate, sync-flushed, without the trailing 00 00 ff ff."""
    z = zlib.compressobj(9, zlib.DEFLATED, -wbits)
    out = z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def inflate_message(payload):
    """The payload of one compressed message, inflated (no context)."""
    return zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")


class Frame:
    def __init__(self, fin, opcode, payload, masked):
        self.fin, self.opcode, self.payload, self.masked = fin, opcode, payload, masked

    def close_code(self):
        if len(self.payload) >= 2:
            return struct.unpack("!H", self.payload[:2])[0]
        return None

    def close_reason(self):
        return self.payload[2:].decode("utf-8", "replace")

    def __repr__(self):
        return "Frame(fin=%d, op=%#x, len=%d)" % (self.fin, self.opcode, len(self.payload))


class ConnectionEnded(Exception):
    """The server ended the TCP connection: how = 'eof' or 'reset'."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class RawClient:
    """A hand-made WebSocket client on a plain TCP socket."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.status = None
        self.headers = {}
        self.head = b""

    def send_request(self, path, extra=b""):
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\n"
               "Upgrade: websocket\r\n"
               "Connection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n" % (path, key)).encode()
        self.sock.sendall(req + extra + b"\r\n")

    def read_response_head(self, timeout=5):
        """Read the HTTP response head; returns the status code."""
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, sep, rest = self.buf.partition(b"\r\n\r\n")
        self.head = head
        self.buf = rest
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3})", lines[0]) if lines else None
        self.status = int(m.group(1)) if m else None
        self.headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers.setdefault(k.strip().lower(), []).append(v.strip())
        return self.status

    def handshake(self, path, timeout=5):
        self.send_request(path)
        return self.read_response_head(timeout)

    def read_rest(self, timeout=5):
        """Everything after the head until the server closes (an HTTP error
        body); returns (body, 'eof'|'reset'|'timeout')."""
        self.sock.settimeout(timeout)
        body = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return body, "eof"
                body += chunk
        except socket.timeout:
            return body, "timeout"
        except ConnectionResetError:
            return body, "reset"

    def send_frame(self, opcode, payload=b"", fin=True):
        self.sock.sendall(encode_frame(opcode, payload, fin=fin, mask=True))

    def send_close(self, code=1000, reason=b""):
        self.send_frame(OP_CLOSE, struct.pack("!H", code) + reason)

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out reading a frame")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                raise ConnectionEnded("reset")
            if not chunk:
                raise ConnectionEnded("eof")
            self.buf += chunk

    def recv_frame(self, timeout=5):
        """The next frame; raises ConnectionEnded when the server ends the
        TCP connection, socket.timeout after TIMEOUT."""
        deadline = time.monotonic() + timeout
        self._fill(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        n = b1 & 0x7F
        masked = bool(b1 & 0x80)
        hl = 2
        if n == 126:
            self._fill(4, deadline)
            n = struct.unpack("!H", self.buf[2:4])[0]
            hl = 4
        elif n == 127:
            self._fill(10, deadline)
            n = struct.unpack("!Q", self.buf[2:10])[0]
            hl = 10
        if masked:
            hl += 4
        self._fill(hl + n, deadline)
        payload = self.buf[hl:hl + n]
        if masked:
            payload = _mask(payload, self.buf[hl - 4:hl])
        self.buf = self.buf[hl + n:]
        return Frame(bool(b0 & 0x80), b0 & 0x0F, payload, masked)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def raw_http(port, path, timeout=5):
    """Send a WebSocket upgrade request by hand and read the whole answer.
    Returns (status, headers, head_text, body, how_it_ended)."""
    c = RawClient(port, timeout)
    try:
        c.send_request(path)
        status = c.read_response_head(timeout)
        body, how = c.read_rest(timeout)
        return status, c.headers, c.head.decode("latin-1"), body, how
    finally:
        c.close()


def http_get(connect, path):
    """GET PATH over a new connection made by CONNECT(); (status, body)."""
    s = connect()
    try:
        s.settimeout(5)
        s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d+)", head)
    return (int(m.group(1)) if m else None), body.decode()


def metric_samples(text):
    """The samples of a Prometheus text exposition: {series: value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def find_free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# ---------------------------------------------------------------- the test env

_current_env = None


class Env:
    def __init__(self, name):
        global _current_env
        self.name = name
        base = tempfile.gettempdir()
        if len(base) > 40:          # keep UNIX socket paths short (108 bytes)
            base = "/tmp"
        self.tmpdir = tempfile.mkdtemp(prefix="wsgate-%s-" % name, dir=base)
        self.port = None
        self.proc = None
        self.logfile = os.path.join(self.tmpdir, "wsgated.stderr")
        self.logf = None
        self.config_path = None
        self.backends = []
        self.closables = []
        self.failures = []
        self.checks = 0
        self.daemon_log_printed = False
        _current_env = self

    # -- checks
    def check(self, cond, msg):
        """Record one assertion; the test goes on after a failure."""
        self.checks += 1
        if cond:
            log("ok   - %s" % msg)
        else:
            log("FAIL - %s" % msg)
            self.failures.append(msg)
        return bool(cond)

    def require(self, cond, msg):
        """Like check(), but stops the test when it fails."""
        if not self.check(cond, msg):
            raise TestFailure(msg)

    def check_close_code(self, code, expected, what):
        """Every close code wsgated sends is checked against 1005/1006/1015."""
        self.check(code not in FORBIDDEN_CLOSE_CODES,
                   "%s: close code %r is not 1005/1006/1015" % (what, code))
        return self.check(code == expected,
                          "%s: close code %r == %r" % (what, code, expected))

    def check_ws_closed(self, ws, expected, what):
        """A websockets connection ended with close code EXPECTED received
        from wsgated."""
        return self.check_close_code(ws.close_code, expected, what)

    # -- files and sockets
    def sock_path(self, name):
        return os.path.join(self.tmpdir, name + ".sock")

    def path(self, name):
        return os.path.join(self.tmpdir, name)

    def backend(self, name, handler=handler_record, backlog=16,
                kind=socket.SOCK_STREAM, tcp=None):
        b = Backend(self, name, handler, backlog, kind, tcp)
        self.backends.append(b)
        return b

    def closing(self, obj):
        """Close OBJ (anything with .close()) during cleanup."""
        self.closables.append(obj)
        return obj

    def write_config(self, text, name="wsgate.ini"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    # -- the daemon
    def start(self, config_template, debug=True, attempts=5):
        """Write CONFIG_TEMPLATE (with {port} and {server_defaults}
        substituted) and start wsgated on a free port; wait until the port
        accepts connections."""
        if not os.access(WSGATED, os.X_OK):
            raise TestFailure("wsgated binary not found or not executable: %s" % WSGATED)
        for attempt in range(attempts):
            self.port = find_free_port()
            text = config_template.format(port=self.port, dir=self.tmpdir,
                                          server_defaults=SERVER_DEFAULTS)
            self.config_path = self.write_config(text)
            if attempt == 0:
                log("# config %s:\n%s" % (self.config_path,
                                          "".join("#   " + l + "\n" for l in text.splitlines())))
            args = [WSGATED, "-c", self.config_path] + (["-d"] if debug else [])
            if self.logf:
                self.logf.close()
            self.logf = open(self.logfile, "ab")
            self.logf.write(("=== %s (attempt %d)\n" % (" ".join(args), attempt + 1)).encode())
            self.logf.flush()
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=self.logf, stderr=self.logf,
                                         cwd=self.tmpdir)
            if self._wait_listening(10):
                log("# wsgated pid %d listening on 127.0.0.1:%d" % (self.proc.pid, self.port))
                return
            if self.proc.poll() is None:
                self._kill()
                raise TestFailure("wsgated did not accept connections on port %d within 10 s"
                                  % self.port)
            rc = self.proc.returncode
            self.proc = None
            log("# wsgated exited with %s before listening; retrying on another port" % rc)
        raise TestFailure("wsgated could not be started (%d attempts)" % attempts)

    def _owns_port(self):
        """True when the daemon holds the listening socket of self.port
        (from /proc/net/tcp and /proc/PID/fd); None when /proc cannot tell."""
        try:
            inodes = set()
            with open("/proc/net/tcp") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if (fields[3] == "0A" and
                            int(fields[1].split(":")[1], 16) == self.port):
                        inodes.add(fields[9])
            fddir = "/proc/%d/fd" % self.proc.pid
            for fd in os.listdir(fddir):
                try:
                    link = os.readlink(os.path.join(fddir, fd))
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
            return False
        except (OSError, ValueError, IndexError, StopIteration):
            return None

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=0.5)
                s.close()
            except OSError:
                time.sleep(0.05)
                continue
            # the port may belong to someone else (another test took it
            # between find_free_port() and our bind): make sure it is ours
            owns = self._owns_port()
            if owns is None:
                time.sleep(0.2)
                return self.proc.poll() is None
            if owns:
                return True
            time.sleep(0.05)    # not ours: the daemon should exit with an error
        return False

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def stop(self):
        """SIGTERM, wait up to 15 s (SIGKILL and a failure after that);
        a non-zero exit status is a failure (design: drain, then exit 0)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is not None:
            self.check(False, "wsgated was still running at the end of the test "
                       "(exit status %s)" % proc.returncode)
            return
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            self.check(False, "wsgated exits within 15 s of SIGTERM (had to SIGKILL it)")
            return
        self.check(rc == 0, "wsgated exits with status 0 after SIGTERM (got %s)" % rc)

    def daemon_log(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=10, start=0):
        """Wait until the daemon's log, from offset START on, matches the
        regular expression PATTERN; returns the match (None on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.daemon_log()[start:], re.M)
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.05)

    def reload(self, config_template, timeout=10):
        """Rewrite the configuration (same substitutions as start()), send
        SIGHUP and wait for wsgated to log the outcome; returns True when
        it took the new file."""
        text = config_template.format(port=self.port, dir=self.tmpdir,
                                      server_defaults=SERVER_DEFAULTS)
        self.write_config(text)
        start = len(self.daemon_log())
        self.proc.send_signal(signal.SIGHUP)
        m = self.wait_log(r"reload: (done|.*the configuration in use stays)",
                          timeout, start)
        if m is None:
            raise TestFailure("wsgated logged no reload outcome within %d s" % timeout)
        return m.group(1) == "done"

    def print_daemon_log(self):
        if self.daemon_log_printed:
            return
        self.daemon_log_printed = True
        text = self.daemon_log()
        if len(text) > 60000:
            text = text[:20000] + "\n[... %d bytes cut ...]\n" % (len(text) - 40000) + text[-20000:]
        log("# ---- wsgated stderr (%s) ----" % self.logfile)
        for line in text.splitlines():
            log("# " + line)
        log("# ---- end of wsgated stderr ----")

    def cleanup(self):
        for c in self.closables:
            try:
                c.close()
            except Exception:
                pass
        try:
            self.stop()
        except Exception:
            traceback.print_exc()
            self._kill()
        for b in self.backends:
            try:
                b.close()
            except Exception:
                pass
        if self.logf:
            self.logf.close()
        if self.failures:
            self.print_daemon_log()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # -- asyncio
    def run_async(self, coro, timeout=TEST_TIMEOUT - 5):
        return asyncio.run(asyncio.wait_for(coro, timeout))

    def url(self, path):
        return "ws://127.0.0.1:%d%s" % (self.port, path)

    def connect(self, path, **kw):
        """websockets.connect() with test-friendly defaults: no client
        pings (they would count as traffic), no compression, bounded
        handshake and close."""
        kw.setdefault("ping_interval", None)
        kw.setdefault("compression", None)
        kw.setdefault("open_timeout", 5)
        kw.setdefault("close_timeout", 5)
        return websockets.connect(self.url(path), **kw)


async def wait_closed(ws, timeout=10):
    """Wait until the connection is closed; returns True if it closed."""
    try:
        await asyncio.wait_for(ws.wait_closed(), timeout)
        return True
    except asyncio.TimeoutError:
        return False


async def recv_all(ws, timeout=10):
    """Receive messages until the connection closes; returns the list."""
    msgs = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TestFailure("connection not closed within %.1f s" % timeout)
        try:
            msgs.append(await asyncio.wait_for(ws.recv(), left))
        except websockets.exceptions.ConnectionClosed:
            return msgs
        except asyncio.TimeoutError:
            raise TestFailure("connection not closed within %.1f s" % timeout)


# ---------------------------------------------------------------- running

def _alarm(signum, frame):
    raise TestTimeout()


def _hard_timeout(signum, frame):
    env = _current_env
    log("FAIL - hard timeout (%d s): killing everything this test started" % HARD_TIMEOUT)
    if env is not None:
        env.failures.append("hard timeout")
        env._kill()
        try:
            env.print_daemon_log()
        except Exception:
            pass
        shutil.rmtree(env.tmpdir, ignore_errors=True)
    os._exit(1)


def run(name, body):
    """Run BODY(env) as a complete test; never returns."""
    log("# %s (wsgated: %s)" % (name, WSGATED))
    env = Env(name)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIMEOUT)
    try:
        body(env)
    except TestTimeout:
        env.check(False, "test finished within %d s" % TEST_TIMEOUT)
    except TestFailure as e:
        if not env.failures or env.failures[-1] != str(e):
            env.check(False, str(e))
    except Exception:
        traceback.print_exc()
        env.check(False, "unexpected exception: %s" % traceback.format_exc().strip().splitlines()[-1])
    finally:
        signal.signal(signal.SIGALRM, _hard_timeout)
        signal.alarm(HARD_TIMEOUT - TEST_TIMEOUT + 20)
        try:
            env.cleanup()
        except TestTimeout:
            pass
        signal.alarm(0)
    if env.checks == 0:
        env.failures.append("no checks were made")
    if env.failures:
        log("# %s: FAILED (%d of %d checks)" % (name, len(env.failures), env.checks))
        sys.exit(1)
    log("# %s: passed (%d checks)" % (name, env.checks))
    sys.exit(0)
