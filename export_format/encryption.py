"""Hybrid encryption of the users array: RSA-OAEP(SHA-256) key wrap + AES-256-GCM.

This is OUR scheme (GitHub's is not public), chosen because it uses only standard,
misuse-resistant primitives from `cryptography`: a fresh random 32-byte content key per file,
a fresh 12-byte nonce, the key wrapped to the GHEC side's RSA public key, and the instance's
server_id as AES-GCM associated data so a ciphertext transplanted into another instance
block fails authentication. Only the holder of the private key can read the users.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .schemas import ENCRYPTION_SCHEME

SCHEME = ENCRYPTION_SCHEME
MIN_RSA_BITS = 2048
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(),
                     label=None)


class DecryptionError(ValueError):
    """The users blob cannot be decrypted; `path` says which part of the file is at fault.

    WHY a path: the validator turns this into a Problem, and "$.encryption.key_id" tells an
    operator far more than "decryption failed".
    """

    def __init__(self, path: str, message: str) -> None:
        """Keep path and message apart so the validator can build a Problem from them."""
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _public_of(key: Any) -> rsa.RSAPublicKey:
    """Accept a public or a private RSA key; WHY: callers on the GHEC side hold the private
    one and should not have to derive the public half just to compute a key id."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key
    raise TypeError(f"expected an RSA public or private key from `cryptography`, got "
                    f"{type(key).__name__}")


def key_id(public_key: Any) -> str:
    """`sha256:<hex>` of the key's DER SubjectPublicKeyInfo.

    WHY this identifier: it is stable across PEM re-encodings and computable from either half
    of the pair, so a reader can say "this file was encrypted for another key" before trying.
    """
    der = _public_of(public_key).public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def encrypt_users(users_json: bytes, public_key: Any, aad: bytes) -> dict[str, Any]:
    """Encrypt the UTF-8 JSON of the users array for the holder of `public_key`.

    Returns {"encryption": <the file's encryption block>, "users": <base64 ciphertext>}, the
    two top-level members of the encrypted form, ready to merge into the envelope. `aad` is
    the instance's server_id in ASCII (see module docstring).
    """
    public = _public_of(public_key)
    if public.key_size < MIN_RSA_BITS:
        raise ValueError(f"RSA key of {public.key_size} bits is too small; use at least "
                         f"{MIN_RSA_BITS} (the shipped test key has 3072)")
    content_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(nonce, bytes(users_json), aad)
    return {
        "encryption": {
            "scheme": SCHEME,
            "key_id": key_id(public),
            "encrypted_key": base64.b64encode(public.encrypt(content_key, _OAEP)).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
        },
        "users": base64.b64encode(ciphertext).decode("ascii"),
    }


def _b64(value: Any, path: str) -> bytes:
    """Strict base64 decode; WHY strict: lenient decoding would ignore junk characters and
    make a corrupted file look merely 'tampered'."""
    try:
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise DecryptionError(path, f"not valid base64 ({exc})") from None


def decrypt_users(block: dict[str, Any], ciphertext_b64: str, private_key: Any,
                  aad: bytes) -> bytes:
    """Decrypt the users blob; returns the plaintext bytes (UTF-8 JSON of the users array).

    Raises DecryptionError with the path of the culprit: a foreign key (key_id mismatch), an
    unwrappable key, or a ciphertext failing authentication (tampered, truncated, or moved
    from another server_id).
    """
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError(f"expected an RSA private key from `cryptography`, got "
                        f"{type(private_key).__name__}")
    if block.get("scheme") != SCHEME:
        raise DecryptionError("$.encryption.scheme", f"unsupported scheme; expected {SCHEME}")
    ours = key_id(private_key)
    if block.get("key_id") != ours:
        raise DecryptionError(
            "$.encryption.key_id",
            f"the users were encrypted for another key ({block.get('key_id')}); the private "
            f"key given has key_id {ours}. Upload the file to the GHEC enterprise whose key "
            "the GHES instance was configured with, or use the matching --ghec-private-key.")
    wrapped = _b64(block.get("encrypted_key"), "$.encryption.encrypted_key")
    nonce = _b64(block.get("nonce"), "$.encryption.nonce")
    ciphertext = _b64(ciphertext_b64, "$.users")
    if len(nonce) != 12:
        raise DecryptionError("$.encryption.nonce", f"must be 12 bytes, got {len(nonce)}")
    try:
        content_key = private_key.decrypt(wrapped, _OAEP)
    except ValueError:
        raise DecryptionError("$.encryption.encrypted_key",
                              "cannot be unwrapped with this private key (corrupted or "
                              "altered)") from None
    if len(content_key) != 32:
        raise DecryptionError("$.encryption.encrypted_key",
                              f"unwraps to {len(content_key)} bytes, expected a 32-byte key")
    try:
        return AESGCM(content_key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError("$.users",
                              "encrypted users failed authentication: the ciphertext, nonce "
                              "or instance.server_id (the associated data) was altered, or "
                              "the blob was moved from another instance's file") from None
