"""Random version-4 GUIDs for what a cycle makes by the thousand: the ids of the objects a file
directory creates, of provisioning log entries.

Drawn from the `random` module, which seeds itself from the system at start and again in a
forked child, rather than from `uuid.uuid4()`: such an id need not be unpredictable, and uuid4's
system call per id cost more than the rest of a create on the project's VM (about 20 µs,
100,000 times in an initial cycle).
"""

from __future__ import annotations

import random

_VERSION_4 = (0x4 << 76) | (0x8 << 60)
"""The version (4) and variant (RFC 4122) bits of a random GUID; `_RANDOM` the others."""
_RANDOM = ~((0xF << 76) | (0xC << 60)) & ((1 << 128) - 1)


def new_guid_hex() -> str:
    """A random GUID as 32 hexadecimal digits (uuid4().hex)."""
    return f"{random.getrandbits(128) & _RANDOM | _VERSION_4:032x}"


def new_guid() -> str:
    """A random GUID in its usual form, xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx (str(uuid4()))."""
    digits = new_guid_hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
