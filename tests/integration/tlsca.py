"""Certificates for the TLS tests, made at test time with `openssl` in the
test's temporary directory: EC P-256 keys, a root CA, an intermediate CA
and a server leaf for 127.0.0.1 and localhost (signed by the
intermediate), plus client certificates on demand.

    ca = tlsca.CA(env.tmpdir, "main")
    ca.leaf_chain      # leaf then intermediate (the tls_cert file)
    ca.leaf_key        # the leaf's key (the tls_key file)
    ca.root            # what clients trust
    ca.client("alice") # (cert, key) of a client certificate signed by the root
    tlsca.client_context(ca.root)  # an ssl.SSLContext trusting only ROOT
"""
import os
import ssl
import subprocess

OPENSSL = "/usr/bin/openssl"
DAYS = "2"


def run(*args, cwd=None):
    p = subprocess.run([OPENSSL] + list(args), cwd=cwd, capture_output=True,
                       timeout=30)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args),
                                               p.stderr.decode("utf-8", "replace")))
    return p.stdout


def ec_key(path, with_params=False):
    """An EC P-256 key; WITH_PARAMS puts an EC PARAMETERS block first, as
    `openssl ecparam -genkey` does."""
    if with_params:
        run("ecparam", "-name", "prime256v1", "-genkey", "-out", path)
    else:
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", path)
    return path


class CA:
    def __init__(self, directory, name):
        self.dir = directory
        self.name = name
        self.root_key = ec_key(self.p("root.key"))
        self.root = self.p("root.pem")
        run("req", "-x509", "-new", "-key", self.root_key, "-days", DAYS,
            "-subj", "/CN=wsgate test root %s" % name, "-out", self.root,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.int_key = ec_key(self.p("int.key"))
        self.int = self.sign(self.int_key, "/CN=wsgate test intermediate %s" % name,
                             self.root, self.root_key, "int.pem",
                             "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                             "keyUsage=critical,keyCertSign,cRLSign\n")
        self.new_leaf("leaf")

    def p(self, f):
        return os.path.join(self.dir, "%s-%s" % (self.name, f))

    def sign(self, key, subj, ca, ca_key, out, ext):
        csr = self.p(out + ".csr")
        extfile = self.p(out + ".ext")
        with open(extfile, "w") as f:
            f.write(ext)
        run("req", "-new", "-key", key, "-subj", subj, "-out", csr)
        run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
            "-CAcreateserial", "-days", DAYS, "-extfile", extfile,
            "-out", self.p(out))
        return self.p(out)

    def new_leaf(self, name, with_params=False):
        """A new server key and leaf; sets leaf, leaf_key and leaf_chain."""
        self.leaf_key = ec_key(self.p(name + ".key"), with_params)
        self.leaf = self.sign(self.leaf_key, "/CN=localhost %s" % name, self.int,
                              self.int_key, name + ".pem",
                              "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                              "extendedKeyUsage=serverAuth\n"
                              "keyUsage=critical,digitalSignature\n")
        self.leaf_chain = self.p(name + "-chain.pem")
        with open(self.leaf_chain, "w") as out:
            for f in (self.leaf, self.int):
                with open(f) as i:
                    out.write(i.read())
        return self.leaf_chain, self.leaf_key

    def client(self, name):
        """A client certificate signed by the root: (cert, key)."""
        key = ec_key(self.p(name + ".key"))
        cert = self.sign(key, "/CN=%s" % name, self.root, self.root_key,
                         name + ".pem",
                         "extendedKeyUsage=clientAuth\n"
                         "keyUsage=critical,digitalSignature\n")
        return cert, key


def client_context(root, cert=None, key=None):
    """Trusts only ROOT (no system store); presents CERT/KEY if given."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=root)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def der_of(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def s_client(port, *args, timeout=10):
    """openssl s_client to 127.0.0.1:PORT; (exit status, stdout+stderr)."""
    p = subprocess.run([OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % port,
                        "-servername", "localhost"] + list(args),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")
