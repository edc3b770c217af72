"""A real IMAP server for the polling tests: Debian's Dovecot on a loopback port.

The fixture writes a minimal ``dovecot.conf`` in a temporary directory (one passwd-file
user, a Maildir, plain-text login on loopback only) and runs ``dovecot -F`` with it. It
skips, naming why, only when the binary is not installed (``apt-get install
dovecot-imapd``; CI installs it).
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists()
                                       else None)  # fmt: skip
USER, PASSWORD = "support@kettlecrow.example", "imap-secret-1"


@dataclass
class Imap:
    port: int
    user: str = USER
    password: str = PASSWORD

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(self.user, self.password)
            status, detail = client.append(folder, None, None, message)
            assert status == "OK", detail
        finally:
            client.logout()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_config(root: Path, port: int) -> Path:
    if os.getuid() == 0:
        # As root, Dovecot drops to its own users; mail is kept as the "dovecot" user.
        owner = pwd.getpwnam("dovecot")
        uid, gid = owner.pw_uid, owner.pw_gid
        login_user, internal_user = "dovenull", "dovecot"
        internal_group = grp.getgrgid(gid).gr_name
    else:
        uid, gid = os.getuid(), os.getgid()
        login_user = internal_user = pwd.getpwuid(uid).pw_name
        internal_group = grp.getgrgid(gid).gr_name
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/mail/%u\n")
    os.chown(root / "mail", uid, gid)
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
first_valid_gid = {gid}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    return conf


@pytest.fixture
def dovecot():
    if DOVECOT is None:
        pytest.skip("Dovecot is not installed: apt-get install -y dovecot-imapd")
    # Not pytest's tmp_path: its parents are private to us, and Dovecot's own users
    # must reach the passwd file and the Maildir.
    root = Path(tempfile.mkdtemp(prefix="thrive-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 - a test directory Dovecot must read
    port = _free_port()
    conf = _write_config(root, port)
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                log = root / "dovecot.log"
                raise RuntimeError(
                    f"Dovecot stopped: {process.stdout.read() if process.stdout else ''!r} "
                    f"{log.read_text() if log.exists() else ''}"
                ) from None
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("Dovecot did not start listening within 15 seconds.")
    yield Imap(port)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(root, ignore_errors=True)
