"""Salesforce record ids: key prefixes, the 15 -> 18 case-safe checksum, validation, generation."""

from __future__ import annotations

import itertools
import threading

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALNUM = frozenset(BASE62)

KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "Case": "500",
    "Group": "00G",
    "Organization": "00D",
    "Profile": "00e",
    "RecordType": "012",
    "Campaign": "701",
    "BulkJob": "750",
    "QueryLocator": "01g",
    "CustomField": "00N",
}
PREFIX_TO_SOBJECT = {v: k for k, v in KEY_PREFIXES.items()}

# Pod characters after the key prefix ("5e" in "0035e00000AbCdE"): fixed, so ids look real.
POD = "8d"


def _suffix(id15: str) -> str:
    out = []
    for k in (0, 5, 10):
        bits = 0
        for i in range(5):
            c = id15[k + i]
            if "A" <= c <= "Z":
                bits |= 1 << i
        out.append(ALPHABET[bits])
    return "".join(out)


def to18(id15: str) -> str:
    """Return the 18-character form of a 15- or 18-character id (raises ValueError if malformed)."""
    if not is_well_formed(id15):
        raise ValueError(f"malformed id: {id15!r}")
    return id15[:15] + _suffix(id15[:15])


def is_well_formed(value: object) -> bool:
    """True for a 15-char alphanumeric id or an 18-char id whose checksum matches (case-insensitively)."""
    if not isinstance(value, str) or len(value) not in (15, 18) or not _ALNUM.issuperset(value):
        return False
    if len(value) == 18:
        return value[15:].upper() == _suffix(value[:15])
    return True


def normalize(value: object) -> str | None:
    """18-char id for a well-formed id, else None."""
    if not is_well_formed(value):
        return None
    return value[:15] + _suffix(value[:15])  # type: ignore[index]


def prefix_of(record_id: str) -> str:
    return record_id[:3]


def sobject_for(record_id: str) -> str | None:
    return PREFIX_TO_SOBJECT.get(record_id[:3])


def _base62(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 62)
        chars.append(BASE62[r])
    if n:
        raise OverflowError("id space exhausted")
    return "".join(reversed(chars))


class IdFactory:
    """Thread-safe generator of unique ids per key prefix (counters shared by all orgs)."""

    def __init__(self, start: int = 62**5 * 2760 + 31_000_000) -> None:
        # The default start gives mixed-case ids like "0038d00000jaBc2XYZ" instead of "...0000001AAA".
        self._counters: dict[str, itertools.count] = {}
        self._lock = threading.Lock()
        self._start = start

    def _counter(self, prefix: str) -> itertools.count:
        with self._lock:
            counter = self._counters.get(prefix)
            if counter is None:
                counter = self._counters[prefix] = itertools.count(self._start)
            return counter

    def new(self, prefix: str) -> str:
        return self.many(prefix, 1)[0]

    def many(self, prefix: str, count: int) -> list[str]:
        """``count`` fresh ids in one go (bulk loads): table-driven base62 and checksum, no per-char loop."""
        if count <= 0:
            return []
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(self._start))
            first = next(counter)
            self._counters[prefix] = itertools.count(first + count)  # reserve the block
        t2, b2, t3, b3 = _tables()
        head = prefix + POD
        s0 = _suffix_chunk(head)
        out: list[str] = []
        append = out.append
        chunk = 62**5
        cube = 62**3
        for n in range(first, first + count):
            hi, lo = divmod(n, chunk)
            a1, c1 = divmod(hi, cube)
            a2, c2 = divmod(lo, cube)
            append(
                head
                + t2[a1]
                + t3[c1]
                + t2[a2]
                + t3[c2]
                + s0
                + ALPHABET[b2[a1] | b3[c1] << 2]
                + ALPHABET[b2[a2] | b3[c2] << 2]
            )
        return out

    def state(self) -> dict[str, int]:
        with self._lock:
            result = {}
            for prefix, counter in self._counters.items():
                value = next(counter)
                result[prefix] = value
                self._counters[prefix] = itertools.count(value)
            return result

    def restore(self, state: dict[str, int]) -> None:
        with self._lock:
            self._counters = {p: itertools.count(v) for p, v in state.items()}


_CHUNK_CACHE: dict[str, str] = {}


def _suffix_chunk(chunk: str) -> str:
    ch = _CHUNK_CACHE.get(chunk)
    if ch is None:
        bits = 0
        for i, c in enumerate(chunk):
            if "A" <= c <= "Z":
                bits |= 1 << i
        ch = ALPHABET[bits]
        if len(_CHUNK_CACHE) < 1_000_000:
            _CHUNK_CACHE[chunk] = ch
    return ch


_TABLES: tuple | None = None


def _tables() -> tuple[list[str], list[int], list[str], list[int]]:
    """Base62 strings of width 2 and 3 with their uppercase bit masks (built once, ~0.1 s)."""
    global _TABLES
    if _TABLES is None:
        up = [1 if "A" <= c <= "Z" else 0 for c in BASE62]
        t2 = [a + b for a in BASE62 for b in BASE62]
        b2 = [up[i] | up[j] << 1 for i in range(62) for j in range(62)]
        t3 = [x + c for x in t2 for c in BASE62]
        b3 = [bx | up[k] << 2 for bx in b2 for k in range(62)]
        _TABLES = (t2, b2, t3, b3)
    return _TABLES
