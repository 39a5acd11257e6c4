#!/usr/bin/python3
"""41-tls-old-versions: TLS 1.0 and 1.1 are refused (issue 4, item 2: TLS
1.2 and 1.3 only).  OpenSSL 3.0 on the client side refuses to offer them
at its default security level, so the clients lower it to 0 (they would
otherwise fail on their own, proving nothing):

  * Python's ssl capped at TLS 1.0, then 1.1: the handshake fails with the
    server's protocol_version alert (70);
  * `openssl s_client -tls1` and `-tls1_1`: the same alert;
  * the same Python client allowed up to TLS 1.2 connects (the lowered
    security level is not what fails above).
"""
import os
import re
import socket
import ssl
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

# ssl.TLSVersion.TLSv1 and TLSv1_1 are deprecated: asking for them is the point.
warnings.filterwarnings("ignore", category=DeprecationWarning)

CONFIG = """\
[server]
listen = 127.0.0.1:{port} tls
tls_cert = CERT
tls_key = KEY
{server_defaults}
[route /echo]
backend = unix:{dir}/echo.sock
"""


def handshake(port, root, version):
    """Handshake with at most VERSION; None on success, else the error."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = version
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        try:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                return None if t.version() else "no version"
        except (ssl.SSLError, OSError) as e:
            return str(e)


def main(env):
    ca = tlsca.CA(env.tmpdir, "t42")
    env.backend("echo", harness.handler_echo)
    env.start(CONFIG.replace("CERT", ca.leaf_chain).replace("KEY", ca.leaf_key))

    for name, v in (("TLS 1.0", ssl.TLSVersion.TLSv1),
                    ("TLS 1.1", ssl.TLSVersion.TLSv1_1)):
        err = handshake(env.port, ca.root, v)
        harness.log("# python %s: %s" % (name, err))
        env.check(err is not None and "PROTOCOL_VERSION" in err.upper(),
                  "python, at most %s: refused with a protocol_version alert (%s)"
                  % (name, err))
    err = handshake(env.port, ca.root, ssl.TLSVersion.TLSv1_2)
    env.check(err is None, "python, same context up to TLS 1.2: connects (%s)" % err)

    for opt in ("-tls1", "-tls1_1"):
        rc, out = tlsca.s_client(env.port, opt, "-cipher", "DEFAULT@SECLEVEL=0",
                                 "-CAfile", ca.root)
        lines = [l for l in out.splitlines() if "alert" in l or "error" in l]
        harness.log("# s_client %s -> %d: %s" % (opt, rc, lines))
        env.check(rc != 0, "s_client %s: handshake fails (exit %d)" % (opt, rc))
        env.check(re.search(r"alert protocol version|alert number 70", out) is not None,
                  "s_client %s: protocol version alert" % opt)


harness.run(os.path.basename(__file__)[:-3], main)
