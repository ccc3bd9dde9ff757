"""The mock pair's DEFAULT key pair, and loaders for any PEM RSA key pair.

The files under export_format/test_keys/ are TEST-ONLY and PUBLIC (committed to the
repository, shipped as package data so an installed wheel has them too): they exist so that
a mock GHES and a mock GHEC started with no flags can exchange encrypted exports out of the
box. Real use passes --ghec-private-key / --ghec-public-key to the servers (see
docs/export-format.md). `python -m export_format.keys DIR` writes a fresh pair.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_DIR = Path(__file__).resolve().parent / "test_keys"
DEFAULT_PRIVATE_KEY_PATH = KEY_DIR / "ghec-test-private.pem"
DEFAULT_PUBLIC_KEY_PATH = KEY_DIR / "ghec-test-public.pem"
DEFAULT_KEY_BITS = 3072


class KeyLoadError(ValueError):
    """A key file is missing, unreadable, or not the kind of key expected."""


def _read(path: Path, what: str) -> bytes:
    """Read a key file, turning OS errors into one clear message naming the file and flag."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyLoadError(f"{what} file not found: {path} (pass --ghec-{what.split()[0]}-key "
                           "or create a pair with `python -m export_format.keys DIR`)") from None
    except OSError as exc:
        raise KeyLoadError(f"cannot read {what} file {path}: {exc}") from None


@functools.lru_cache(maxsize=16)
def _private_from(path: Path) -> rsa.RSAPrivateKey:
    """Parse once per path per process; WHY cached: RSA PEM parsing costs milliseconds and
    the GHEC upload handler needs the key on every request. Edits to the file are not seen
    until restart, which is what a server does with its key anyway."""
    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyLoadError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyLoadError(f"{path} holds a {type(key).__name__}, the export format needs RSA")
    return key


@functools.lru_cache(maxsize=16)
def _public_from(path: Path) -> rsa.RSAPublicKey:
    """Parse once per path per process (see _private_from for why)."""
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyLoadError(f"{path} is not a PEM public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyLoadError(f"{path} holds a {type(key).__name__}, the export format needs RSA")
    return key


def load_private_key(path: str | os.PathLike[str] | None = None) -> rsa.RSAPrivateKey:
    """The GHEC side's RSA private key (default: the shipped TEST-ONLY key)."""
    return _private_from(Path(path or DEFAULT_PRIVATE_KEY_PATH).resolve())


def load_public_key(path: str | os.PathLike[str] | None = None) -> rsa.RSAPublicKey:
    """The RSA public key GHES encrypts exports to (default: the shipped TEST-ONLY key)."""
    return _public_from(Path(path or DEFAULT_PUBLIC_KEY_PATH).resolve())


def write_key_pair(private_path: Path, public_path: Path, bits: int = DEFAULT_KEY_BITS) -> None:
    """Generate a fresh RSA pair as PEM files (private one mode 0600, never overwritten).

    WHY refuse to overwrite: replacing a GHEC private key makes every export already
    encrypted to the old key unreadable.
    """
    for path in (private_path, public_path):
        if path.exists():
            raise FileExistsError(f"{path} exists; refusing to overwrite a key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)


def main(argv: list[str] | None = None) -> int:
    """`python -m export_format.keys DIR`: write DIR/ghec-private.pem and ghec-public.pem."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m export_format.keys DIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    write_key_pair(out / "ghec-private.pem", out / "ghec-public.pem")
    print(f"wrote {out / 'ghec-private.pem'} (keep secret) and {out / 'ghec-public.pem'}; start "
          f"the servers with --ghec-private-key / --ghec-public-key pointing at them")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
