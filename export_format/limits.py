"""Size limits of the license-usage export format, version 1 (this project's own format).

WHY a separate module: the limits are part of the published contract (docs/export-format.md
lists them) and are read by the marshmallow schemas (which turn them into validators, hence
into the derived JSON Schema), by the validator (file size, problem cap) and by the tests.
Keeping them in one place means the three can never disagree.
"""
from __future__ import annotations

#: Largest export file accepted, in bytes. A 1,000,000-user plain file with two addresses per
#: user is about 110 MB, and its encrypted form (base64) about 150 MB; 512 MiB leaves room for
#: long addresses and many emails per user while still refusing absurd uploads before parsing.
MAX_EXPORT_BYTES = 512 * 1024 * 1024

#: RFC 5321 caps a forward path at 256 octets including the angle brackets, so 254 for the
#: bare address; anything longer cannot be delivered, so it cannot identify anyone.
MAX_EMAIL_LENGTH = 254

#: Local part (before the "@") limit from RFC 5321 §4.5.3.1.1.
MAX_EMAIL_LOCAL_LENGTH = 64

#: Emails per user record. GHES users rarely have more than a handful; the cap bounds the
#: per-user work of the uniqueness check and the size of a single record.
MAX_EMAILS_PER_USER = 100

#: Largest user id: 2**53 - 1, so every JSON parser (including JavaScript's doubles) reads
#: ids exactly; GHES ids are far below this.
MAX_USER_ID = 2**53 - 1

#: Default cap for short free-form strings (host name, version, feature name, ...).
MAX_STRING_LENGTH = 255

#: The license's public key is opaque to the format (a PEM block or similar), so it gets a
#: bigger cap of its own: a PEM RSA-8192 public key is about 1.5 KiB.
MAX_PUBLIC_KEY_LENGTH = 16 * 1024

#: Enabled GitHub Connect features listed in the instance block.
MAX_FEATURES = 64

#: At most this many problems are itemised in a ValidationResult; the rest are summarised in
#: one final "and N more" problem so a broken million-user file yields a readable report.
MAX_PROBLEMS = 100
