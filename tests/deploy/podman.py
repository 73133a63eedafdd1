"""The production image, built and run with Debian's podman on a locally made Debian base.

No image registry is needed: the base is a Debian bookworm root filesystem made with debootstrap
from the Debian mirror apt uses, with Debian's python3 (3.11) and its venv module, imported with
`podman import`. The root filesystem is kept as a tarball under BASE_CACHE, so a second run only
imports it (or finds the image already there). The Dockerfile takes that base as BASE_IMAGE.

Every container runs with `--network host` (tests/deploy/containers.conf makes it the default
too): the default bridge network, which hands out private-range addresses, is never used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.production_env import BASE_DIR

CONTAINERS_CONF = Path(__file__).with_name("containers.conf")
BASE_CACHE = Path(os.environ.get("HELPDESK_IMAGE_BASE_CACHE", "/var/cache/helpdesk-image-base"))
BASE_TARBALL = BASE_CACHE / "bookworm-python3.tar"
BASE_IMAGE = "localhost/helpdesk-base:bookworm-python3"
IMAGE = "localhost/helpdesk:test"
BUILD_STAGE = "localhost/helpdesk-build:test"
DEBIAN_PACKAGES = ("python3", "python3-venv", "ca-certificates")
# Host CA bundle copied into the local base: pip inside the build reaches the package index
# through whatever TLS this machine trusts.
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# What a Debian root filesystem carries that an image does not need.
BASE_TRIM = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)


def missing_tools() -> list[str]:
    """The Debian packages the image tests need and this machine lacks."""
    missing = [name for name in ("podman", "runc") if shutil.which(name) is None]
    if not BASE_TARBALL.exists() and shutil.which("debootstrap") is None:
        missing.append("debootstrap")
    return missing


def environment() -> dict[str, str]:
    """The process environment with podman pointed at the project's containers.conf."""
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Runs `podman <args>` and returns its output (raises with podman's stderr on failure)."""
    result = subprocess.run(  # noqa: S603 - our own command
        ["podman", *args],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"podman {' '.join(args[:3])} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def debian_mirror() -> str:
    """The Debian mirror apt uses on this machine (deb.debian.org when none is found)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for path in sources:
        try:
            text = path.read_text()
        except OSError:
            continue
        for match in re.finditer(r"(?:URIs:|^deb)\s+(\S+)", text, re.MULTILINE):
            uri = match.group(1).rstrip("/")
            if uri.endswith("/debian"):
                return uri
    return "http://deb.debian.org/debian"


def make_base_tarball() -> None:
    """debootstrap a minimal bookworm with Debian's python3, trim it and keep it as a tarball."""
    BASE_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BASE_CACHE) as workdir:
        root = Path(workdir) / "rootfs"
        subprocess.run(  # noqa: S603 - our own command
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(DEBIAN_PACKAGES)}",
                "bookworm",
                str(root),
                debian_mirror(),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
        for relative in BASE_TRIM:
            shutil.rmtree(root / relative, ignore_errors=True)
        if HOST_CA_BUNDLE.exists():
            shutil.copyfile(HOST_CA_BUNDLE, root / "etc/ssl/certs/ca-certificates.crt")
        partial = BASE_TARBALL.with_suffix(".partial")
        subprocess.run(  # noqa: S603 - our own command
            ["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."],
            check=True,
            timeout=300,
        )
        partial.rename(BASE_TARBALL)


def ensure_base_image() -> None:
    """The local base image, made once and kept: import the cached tarball, debootstrap if none."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return
    if not BASE_TARBALL.exists():
        make_base_tarball()
    podman(
        "import",
        "--change",
        "CMD /bin/bash",
        "--change",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        str(BASE_TARBALL),
        BASE_IMAGE,
        timeout=300,
    )


def build_image() -> float:
    """Builds the Dockerfile on the local base with the host network; returns the seconds taken.

    pip inside the build uses this machine's index settings (PIP_INDEX_URL if set) and the CA
    bundle copied into the base."""
    arguments = ["--build-arg", f"BASE_IMAGE={BASE_IMAGE}"]
    arguments += ["--build-arg", "PIP_CERT=/etc/ssl/certs/ca-certificates.crt"]
    if os.environ.get("PIP_INDEX_URL", "").startswith("http"):
        arguments += ["--build-arg", f"PIP_INDEX_URL={os.environ['PIP_INDEX_URL']}"]
    start = time.monotonic()
    common = ["--format=docker", "--network=host", "--layers", *arguments]
    # The dependency stage gets a name of its own, so that it is kept as the next build's cache
    # while the leftovers of earlier builds are pruned (else every build adds a few hundred MB).
    # --format=docker keeps HEALTHCHECK and STOPSIGNAL (the OCI format drops them).
    podman("build", *common, "--target", "build", "--tag", BUILD_STAGE, str(BASE_DIR), timeout=1200)
    podman("build", *common, "--tag", IMAGE, str(BASE_DIR), timeout=1200)
    took = time.monotonic() - start
    podman("image", "prune", "--force", timeout=900, check=False)
    return took


def image_size(image: str = IMAGE) -> int:
    """The image's size in bytes, as podman reports it."""
    return int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())
