#!/usr/bin/python3
"""44-tls-config-errors: `wsgated -t` on TLS settings (issue 4, item 2):
every error is FILE:LINE pointing at the key at fault, exit status 1.

  * valid: a chain file and a key file that `openssl ecparam -genkey`
    wrote (EC PARAMETERS before the key): exit 0;
  * a key that is not the leaf's: the tls_key line;
  * a missing certificate file: the tls_cert line, with the OS's reason;
  * a missing tls_ca file: the tls_ca line;
  * a file with no certificate as tls_cert: the tls_cert line;
  * the chain in the wrong order (intermediate first): the tls_cert line;
  * a tls listener without tls_cert/tls_key: the listen line;
  * tls_cert without tls_key: the tls_cert line.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import harness
import tlsca

# tls_cert on line 3, tls_key on line 4, tls_ca on line 5
TEMPLATE = """\
[server]
listen = 127.0.0.1:8443 tls
tls_cert = {cert}
tls_key = {key}
{ca}
[route /echo]
backend = unix:/run/echo.sock
"""


def run_t(env, name, text):
    path = env.write_config(text, name)
    p = subprocess.run([harness.WSGATED, "-t", "-c", path], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=20)
    err = p.stderr.decode("utf-8", "replace")
    harness.log("# %s -> %d: %r" % (name, p.returncode, err))
    lines = set(int(m.group(1)) for m in
                re.finditer("^" + re.escape(path) + r":(\d+): (.*)$", err, re.M))
    return p.returncode, lines, err


def expect(env, name, text, line, words):
    rc, lines, err = run_t(env, name, text)
    env.check(rc == 1, "%s: exit status %s == 1" % (name, rc))
    env.check(lines == {line}, "%s: one error, on line %d (%s)" % (name, line, sorted(lines)))
    env.check(re.search(words, err) is not None, "%s: the message says %r" % (name, words))


def main(env):
    ca = tlsca.CA(env.tmpdir, "t44")
    ca.new_leaf("pleaf", with_params=True)
    with open(ca.leaf_key) as f:
        env.require("EC PARAMETERS" in f.read(), "the key file starts with EC PARAMETERS")
    chain, key = ca.leaf_chain, ca.leaf_key
    other_key = tlsca.ec_key(env.path("other.key"))
    wrong_order = env.path("wrong-order.pem")
    with open(wrong_order, "w") as out:
        for f in (ca.int, ca.leaf):
            with open(f) as i:
                out.write(i.read())

    rc, lines, err = run_t(env, "valid.ini", TEMPLATE.format(
        cert=chain, key=key, ca="tls_ca = %s" % ca.root))
    env.check(rc == 0 and err == "", "valid: exit 0, nothing on stderr (%s, %r)" % (rc, err))

    expect(env, "mismatch.ini", TEMPLATE.format(cert=chain, key=other_key, ca=""),
           4, r"tls_key: .* is not the key of the first certificate")
    expect(env, "nocert.ini", TEMPLATE.format(cert=env.path("absent.pem"), key=key, ca=""),
           3, r"tls_cert: cannot open .*absent\.pem: No such file or directory")
    expect(env, "noca.ini", TEMPLATE.format(cert=chain, key=key,
                                             ca="tls_ca = %s" % env.path("absent-ca.pem")),
           5, r"tls_ca: cannot open")
    expect(env, "notpem.ini", TEMPLATE.format(cert=key, key=key, ca=""),
           3, r"tls_cert: .* holds no PEM certificate")
    expect(env, "order.ini", TEMPLATE.format(cert=wrong_order, key=key, ca=""),
           3, r"tls_cert: .*certificate 2 did not issue certificate 1")
    expect(env, "nokeys.ini", "[server]\nlisten = 127.0.0.1:8443 tls\n"
           "[route /echo]\nbackend = unix:/run/echo.sock\n",
           2, r"listen: a tls listener needs tls_cert and tls_key")
    expect(env, "onlycert.ini", "[server]\nlisten = 127.0.0.1:8443\ntls_cert = %s\n"
           "[route /echo]\nbackend = unix:/run/echo.sock\n" % chain,
           3, r"tls_cert: tls_key is missing")


harness.run(os.path.basename(__file__)[:-3], main)
