"""A real OpenLDAP server for the tests: Debian's slapd with a small SupAnn-shaped tree.

`start_slapd(directory)` loads people.ldif (offline, with slapadd) into a private database and
runs slapd on a free loopback port. Only the helpdesk's system account may read the people
(anonymous reads are refused, as in a university's directory). The schemas Debian does not ship
(eduPerson, the part of SupAnn the helpdesk reads) sit beside this file.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.support import free_port, wait_until

HERE = Path(__file__).resolve().parent
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=univ-test,dc=fr"
PEOPLE = f"ou=people,{SUFFIX}"
BIND_DN = f"cn=helpdesk,ou=system,{SUFFIX}"
BIND_PASSWORD = "helpdesk-directory-secret"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
include {here}/eduperson.schema
include {here}/supann.schema
pidfile {run}/slapd.pid
argsfile {run}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
directory {run}/data
maxsize 1073741824
# As a university's directory indexes what people are searched by.
index objectClass eq
index uid,mail eq,sub
index cn,sn,givenName,displayName eq,sub
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{bind_dn}" read by * none
"""


@dataclass(frozen=True)
class LdapServer:
    url: str
    people_base: str = PEOPLE
    bind_dn: str = BIND_DN
    bind_password: str = BIND_PASSWORD
    ca_file: str = ""  # with tls: the self-signed certificate to trust


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (readable by slapd)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "ldap.crt", directory / "ldap.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def slapd_available() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists()


@contextmanager
def start_slapd(
    directory: Path, *, tls: bool = False, tree: Path | None = None
) -> Iterator[LdapServer]:
    """slapd on 127.0.0.1 with the test tree; stopped (by its process) on leaving. With `tls`,
    it speaks ldaps:// with a self-signed certificate (the server's `ca_file`)."""
    require_service(
        slapd_available(),
        "needs OpenLDAP's slapd (apt install slapd ldap-utils, "
        "with debconf 'slapd slapd/no_configuration boolean true')",
    )
    (directory / "data").mkdir()
    config = directory / "slapd.conf"
    text = CONFIG.format(here=HERE, run=directory, suffix=SUFFIX, bind_dn=BIND_DN)
    ca_file = ""
    if tls:
        cert_file, key_file = _self_signed_certificate(directory)
        ca_file = str(cert_file)
        # Global directives: before the database section.
        text = text.replace(
            "database mdb",
            f"TLSCertificateFile {cert_file}\nTLSCertificateKeyFile {key_file}\ndatabase mdb",
        )
    config.write_text(text)
    loaded = subprocess.run(
        [SLAPADD, "-q", "-f", str(config), "-l", str(tree or HERE / "people.ldif")],
        capture_output=True,
        text=True,
        check=False,
    )
    if loaded.returncode != 0:
        pytest.fail(f"slapadd could not load the test tree:\n{loaded.stderr}", pytrace=False)
    port = free_port()
    scheme = "ldaps" if tls else "ldap"
    log = directory / "slapd.log"
    with log.open("w") as output:
        # -d: stays in the foreground, so the process held here is slapd itself.
        process = subprocess.Popen(
            [SLAPD, "-f", str(config), "-h", f"{scheme}://127.0.0.1:{port}/", "-d", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"slapd exited:\n{log.read_text()}", pytrace=False)
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    try:
        if not wait_until(listening, 20, interval=0.05):
            pytest.fail(f"slapd did not listen on port {port}:\n{log.read_text()}")
        # By name over TLS: ldap3's own host name check on Python 3.12+ matches names, not
        # addresses.
        host = "localhost" if tls else "127.0.0.1"
        yield LdapServer(url=f"{scheme}://{host}:{port}", ca_file=ca_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def use_directory(settings, server: LdapServer) -> None:
    """The helpdesk's settings pointed at `server`, as the LDAP_* variables do it."""
    settings.LDAP_URL = server.url
    settings.LDAP_BIND_DN = server.bind_dn
    settings.LDAP_BIND_PASSWORD = server.bind_password
    settings.LDAP_PEOPLE_BASE = server.people_base
    settings.LDAP_PEOPLE_FILTER = "(objectClass=inetOrgPerson)"
    settings.LDAP_START_TLS = False
    settings.LDAP_CA_FILE = server.ca_file
    settings.LDAP_TIMEOUT = 3
