#!/usr/bin/python3
"""27-static: [static PATH] sections serve files over plain HTTP on the
WebSocket listener, through libwebsockets' mounts (wsgate.ini(5), STATIC
FILES):

  * / gets root's index.html, a file gets the Content-Type of its suffix
    (an unknown one application/octet-stream), a directory its
    index.html, a missing file or a directory without index.html 404; the
    longest static path wins; /docs is redirected to /docs/;
  * one kept-alive connection carries several requests, 404s included;
  * no request escapes root: "..", percent-encoded or not, never reaches
    a file outside it;
  * a symbolic link under root is followed wherever it points (documented
    libwebsockets behaviour);
  * a path too long for libwebsockets' 255-byte file path gets 414;
  * WebSocket upgrades still go to the routes: /echo relays, an upgrade
    for a static file gets 404;
  * a reload that changes a [static] section is refused and the old one
    keeps serving; one that leaves them alone is taken;
  * with no [static /], a path no route or static section covers keeps
    its answers: 404 for an upgrade, 400 for a plain request.
"""
import asyncio
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import websockets.exceptions

ECHO = """\
[server]
listen = 127.0.0.1:{port}
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
text = yes
"""

DOCS = """
[static /docs]
root = {dir}/docs
"""

CONFIG = ECHO + """
[static /]
root = {dir}/www
""" + DOCS

# The same sections, and one more route: a reload takes it.
CONFIG_MORE = CONFIG + """
[route /more]
backend = unix:{dir}/echo.sock
"""

# [static /] with another root: a reload refuses it.
CONFIG_MOVED = CONFIG.replace("root = {dir}/www", "root = {dir}/docs")

CONFIG_DOCS_ONLY = ECHO + DOCS

FILES = {
    "www/index.html": b"<!DOCTYPE html><title>root index</title>\n",
    "www/style.css": b"body { color: black; }\n",
    "www/app.js": b"console.log(1);\n",
    "www/data.json": b'{"a": 1}\n',
    "www/blob.bin": bytes(range(256)),
    "www/sub/index.html": b"<p>sub index</p>\n",
    "docs/index.html": b"<p>docs index</p>\n",
    "docs/a.txt": b"docs a\n",
}

# Requests that would reach secret.txt, next to the roots, if "..", in any
# spelling, took them out of root.
TRAVERSALS = [
    b"/../secret.txt", b"/../../secret.txt", b"/./../secret.txt",
    b"//../secret.txt", b"/sub/../../secret.txt", b"/docs/../../secret.txt",
    b"/%2e%2e/secret.txt", b"/%2E%2E/secret.txt", b"/.%2e/secret.txt",
    b"/%2e%2e%2fsecret.txt", b"/..%2fsecret.txt", b"/..%2f..%2fsecret.txt",
    b"/sub/%2e%2e/%2e%2e/secret.txt", b"/docs/%2e%2e%2f%2e%2e%2fsecret.txt",
    b"/..\\secret.txt", b"/%2e%2e%5csecret.txt", b"/%252e%252e/secret.txt",
    b"/..%00/secret.txt", b"../secret.txt", b"/sub/..;/../secret.txt",
]


class Http:
    """Plain HTTP/1.1 requests on one connection, kept alive."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def get(self, path, method=b"GET"):
        """(status, headers, body); the body is read by Content-Length,
        or to EOF without one."""
        if isinstance(path, str):
            path = path.encode()
        self.sock.sendall(b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                          % (method, path))
        try:
            while b"\r\n\r\n" not in self.buf:
                self._fill()
        except EOFError:
            return None, {}, b""
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                self._fill()
            body, self.buf = self.buf[:n], self.buf[n:]
        else:
            try:
                while True:
                    self._fill()
            except (EOFError, ConnectionResetError):
                pass
            body, self.buf = self.buf, b""
        return int(m.group(1)) if m else None, headers, body

    def close(self):
        self.sock.close()


def fetch(env, path):
    c = Http(env.port)
    try:
        return c.get(path)
    finally:
        c.close()


def check_file(env, path, want_type, want_body):
    status, headers, body = fetch(env, path)
    env.check(status == 200 and body == want_body,
              "GET %s: 200 and the file (%r, %d bytes)" % (path, status, len(body)))
    env.check(headers.get("content-type") == want_type,
              "GET %s: Content-Type %s (%r)" % (path, want_type,
                                                 headers.get("content-type")))


def check_status(env, path, want, what):
    status = fetch(env, path)[0]
    return env.check(status == want, "%s: HTTP %d (%r)" % (what, want, status))


async def ws_upgrade_status(env, path):
    """The HTTP status of a refused upgrade, or 101 when it opens."""
    try:
        async with env.connect(path):
            return 101
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code


def make_files(env):
    for name, data in FILES.items():
        p = env.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    os.makedirs(env.path("www/emptydir"))
    secret = b"SECRET-%s\n" % os.urandom(8).hex().encode()
    with open(env.path("secret.txt"), "wb") as f:
        f.write(secret)
    os.symlink(env.path("secret.txt"), env.path("www/link.txt"))
    return secret


def check_files(env):
    www = FILES["www/index.html"]
    check_file(env, "/", "text/html", www)
    check_file(env, "/index.html", "text/html", www)
    check_file(env, "/style.css", "text/css", FILES["www/style.css"])
    check_file(env, "/app.js", "text/javascript", FILES["www/app.js"])
    check_file(env, "/data.json", "application/json", FILES["www/data.json"])
    check_file(env, "/blob.bin", "application/octet-stream",
               FILES["www/blob.bin"])
    check_file(env, "/sub/", "text/html", FILES["www/sub/index.html"])
    check_file(env, "/index.html?v=2", "text/html", www)
    check_file(env, "/docs/", "text/html", FILES["docs/index.html"])
    check_file(env, "/docs/a.txt", "text/plain", FILES["docs/a.txt"])
    check_status(env, "/missing.html", 404, "a missing file")
    check_status(env, "/emptydir/", 404, "a directory without index.html")
    check_status(env, "/docs/style.css", 404,
                 "a file of another static root (the longest path wins)")
    check_status(env, "/echo", 404, "a plain request for a route's path "
                 "under [static /] with no such file")
    status, headers, _ = fetch(env, "/docs")
    env.check(status == 301 and headers.get("location", "").endswith("/docs/"),
              "GET /docs: 301 to /docs/ (%r, %r)" % (status, headers.get("location")))
    check_status(env, "/" + "a" * 300, 414,
                 "a path longer than libwebsockets' file path")

    c = Http(env.port)
    try:
        got = [c.get(p)[0] for p in ("/style.css", "/missing", "/", "/docs/")]
    finally:
        c.close()
    env.check(got == [200, 404, 200, 200],
              "one kept-alive connection: 200, 404, 200, 200 (%r)" % got)


def check_traversals(env, secret):
    for path in TRAVERSALS:
        status, _, body = fetch(env, path)
        env.check(secret not in body and status is not None and
                  400 <= status < 500,
                  "GET %s: a 4xx, not the file outside root (%r)"
                  % (path.decode("latin-1"), status))


def main(env):
    secret = make_files(env)
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG)

    check_files(env)
    check_traversals(env, secret)
    status, _, body = fetch(env, "/link.txt")
    env.check(status == 200 and body == secret,
              "a symbolic link under root to a file outside it is followed (%r)"
              % status)

    async def routes():
        async with env.connect("/echo") as ws:
            await ws.send("next to the files")
            got = await asyncio.wait_for(ws.recv(), 10)
            env.check(got == "next to the files",
                      "the /echo route relays next to [static /] (%r)" % got)
        for path in ("/", "/index.html", "/docs/"):
            status = await ws_upgrade_status(env, path)
            env.check(status == 404,
                      "WebSocket upgrade for static %s: 404, no route (%r)"
                      % (path, status))
    env.run_async(routes())

    env.check(not env.reload(CONFIG_MOVED),
              "a reload that changes a [static] root is refused")
    env.check(env.wait_log(r"\[static\] sections differ.*take a restart", 5)
              is not None, "the log says [static] changes take a restart")
    check_file(env, "/", "text/html", FILES["www/index.html"])
    env.check(env.reload(CONFIG_MORE),
              "a reload that leaves the [static] sections alone is taken")
    check_file(env, "/style.css", "text/css", FILES["www/style.css"])

    # Without [static /], what no section covers answers as before.
    env.stop()
    env.start(CONFIG_DOCS_ONLY)
    check_file(env, "/docs/a.txt", "text/plain", FILES["docs/a.txt"])
    check_status(env, "/", 400, "a plain request outside every static path")
    check_status(env, "/nothing", 400,
                 "a plain request for a path nothing covers")

    async def uncovered():
        status = await ws_upgrade_status(env, "/nothing")
        env.check(status == 404,
                  "WebSocket upgrade for a path nothing covers: 404 (%r)" % status)
        async with env.connect("/echo") as ws:
            await ws.send("still")
            env.check(await asyncio.wait_for(ws.recv(), 10) == "still",
                      "the /echo route relays next to [static /docs]")
    env.run_async(uncovered())


harness.run(os.path.basename(__file__)[:-3], main)
