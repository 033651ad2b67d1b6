"""Seeded fuzz cases for the embedded SCP: identifiers, DIMSE framing, PDUs.

Three families, each a set of categories drawn with fixed weights from one
``random.Random``, so a seed replays the same campaign:

- ``id-*`` (PS3.4 Q.4.3.1, PS3.5 7): a C-FIND-RQ with a well-framed command
  whose identifier is random elements, wrong VRs, huge values, broken or deep
  sequences, bad Specific Character Sets, or a byte-mutated valid request.
  Sent on a reused association; the SCP must answer (any status) or abort.
- ``dimse-*`` (PS3.7 6.3, PS3.8 9.3.5): a broken command set or broken P-DATA
  framing on the reused association, followed by a C-ECHO probe.
- ``pdu-*`` (PS3.8 9.3): a new connection with truncated PDUs, wrong lengths,
  garbage after the A-ASSOCIATE-RQ, PDUs out of order, odd A-ASSOCIATE-RQ
  fields, random bytes, or a stalled partial PDU. The SCP must close the
  connection (at once after our FIN; within its timeouts for a stall).
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tests.stress import dataset_bytes as dsb
from tests.stress import wire
from tests.stress.dataset_bytes import Syntax

# ------------------------------------------------------------------ values

VRS = (
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO",
    b"LT", b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ",
    b"SS", b"ST", b"SV", b"TM", b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT",
    b"UV",
)  # fmt: skip
BAD_VRS = (b"ZZ", b"\0\0", b"lo", b"  ", b"\xff\xfe", b"S", b"QQ")
INTERESTING_TEXT = (
    "", " ", "\\", "\\\\\\\\", "*", "?", "DEMO*", "^^^^", "=", "==", "\x1b",
    "\x1b$B", "\x1b(B", "\x00", "9007", "DCMR", "DEMO-001", "DEMO-100",
    "-1", "1e999", "NaN", "99999999999999999999", "20261122", "ÄÖÜ", "患者",
)  # fmt: skip
INTERESTING_U32 = (0, 1, 2, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE)
KNOWN_TAGS = (
    *dsb.RPI_VRS,
    0x00000000, 0x00000900, 0x00020010, 0x00080000, 0x00080016, 0x00080018,
    0x00080020, 0x00080050, 0x00081032, 0x00090010, 0x00091001, 0x00100000,
    0x00101010, 0x00101020, 0x00101030, 0x001021C0, 0x00102000, 0x00380500,
    0x0040A010, 0x0040A168, 0x0040A121, 0x50000010, 0x60003000, 0x7FE00010,
    0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD, 0xFFFFFFFF,
)  # fmt: skip
CHARSETS = (
    b"ISO_IR 100", b"ISO_IR 192", b"GB18030", b"GBK", b"ISO_IR 13", b"ISO_IR 6",
    b"ISO 2022 IR 87", b"ISO 2022 IR 149", b"ISO 2022 IR 13\\ISO 2022 IR 87",
    b"\\ISO 2022 IR 87", b"ISO_IR 999", b"UTF-8", b"latin1", b"ISO-IR 100",
    b"\\\\\\", b"ISO_IR 192\\ISO_IR 100", b"ISO 2022 IR 58", b"ISO_IR 166",
)  # fmt: skip

Identifier = Callable[[random.Random, Syntax], bytes]


def _size(rng: random.Random, top: int = 20) -> int:
    """A length spread over orders of magnitude: mostly small, sometimes 2**top."""
    return rng.randint(1, 1 << rng.randint(1, top))


def random_text(rng: random.Random, size: int | None = None) -> bytes:
    """Printable ASCII, interesting strings or raw bytes."""
    pick = rng.random()
    if pick < 0.3:
        return rng.choice(INTERESTING_TEXT).encode("utf-8")
    count = size if size is not None else _size(rng, 7)
    if pick < 0.7:
        return bytes(rng.randint(0x20, 0x7E) for _ in range(count))
    return rng.randbytes(count)


def random_value(rng: random.Random, vr: bytes) -> bytes:
    """A value that may or may not suit ``vr``."""
    if rng.random() < 0.2:
        return b""
    if vr in (b"US", b"SS", b"UL", b"SL", b"FL", b"FD", b"AT", b"SV", b"UV"):
        return rng.randbytes(rng.choice((1, 2, 3, 4, 6, 8, 12, 16)))
    if vr in (b"OB", b"OW", b"OD", b"OF", b"OL", b"OV", b"UN"):
        return rng.randbytes(_size(rng, 9))
    return random_text(rng)


def random_tag(rng: random.Random) -> int:
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(KNOWN_TAGS)
    if pick < 0.7:
        return (rng.choice((0x0009, 0x0011, 0x0029)) << 16) | rng.randint(0, 0xFFFF)
    return rng.getrandbits(32)


def _elements(
    rng: random.Random, syntax: Syntax, count: int
) -> list[tuple[int, bytes]]:
    out = []
    for _ in range(count):
        tag = random_tag(rng)
        vr = dsb.RPI_VRS.get(tag) or rng.choice(VRS)
        if vr == b"SQ":
            items = [
                dsb.item(b"".join(v for _, v in _elements(rng, syntax, 2)), syntax)
            ]
            out.append((tag, dsb.sequence(tag, items, syntax, rng.random() < 0.5)))
        else:
            out.append((tag, dsb.element(tag, vr, random_value(rng, vr), syntax)))
    return out


def _valid_elements(syntax: Syntax) -> list[tuple[int, bytes]]:
    """The valid RPI request, one entry per top-level element."""
    return [
        (dsb.PATIENT_NAME, dsb.element(dsb.PATIENT_NAME, b"PN", b"", syntax)),
        (dsb.PATIENT_ID, dsb.element(dsb.PATIENT_ID, b"LO", b"DEMO-001", syntax)),
        (dsb.ISSUER, dsb.element(dsb.ISSUER, b"LO", b"", syntax)),
        (dsb.VALUE_TYPE, dsb.element(dsb.VALUE_TYPE, b"CS", b"", syntax)),
        (
            dsb.CONTENT_TEMPLATE,
            dsb.sequence(dsb.CONTENT_TEMPLATE, [dsb.template_item(syntax)], syntax),
        ),
    ]


def _join(rng: random.Random, parts: list[tuple[int, bytes]]) -> bytes:
    """Ascending tag order most of the time (PS3.5 7.1), shuffled otherwise."""
    if rng.random() < 0.8:
        parts.sort(key=lambda part: part[0])
    else:
        rng.shuffle(parts)
    return b"".join(value for _, value in parts)


# ------------------------------------------------------- identifier families


def id_random_elements(rng: random.Random, syntax: Syntax) -> bytes:
    """Random tags, VRs and values, sometimes around the valid request."""
    parts = _elements(rng, syntax, rng.randint(1, 25))
    if rng.random() < 0.5:
        parts += _valid_elements(syntax)
    return _join(rng, parts)


def id_wrong_vr(rng: random.Random, syntax: Syntax) -> bytes:
    """RPI keys with a wrong, unknown or inconsistent VR or value length."""
    parts = []
    for tag, vr in dsb.RPI_VRS.items():
        if rng.random() < 0.4:
            continue
        wrong = rng.random() < 0.5
        new_vr = rng.choice(VRS + BAD_VRS) if wrong else vr
        if new_vr == b"SQ" and syntax.explicit:
            body = [dsb.item(dsb.template_item(syntax), syntax)]
            parts.append((tag, dsb.sequence(tag, body, syntax, rng.random() < 0.5)))
            continue
        value = random_value(rng, new_vr) if wrong else random_text(rng)
        if vr == b"SQ" and not wrong:
            value = dsb.template_item(syntax) if rng.random() < 0.5 else value
        length = None if rng.random() < 0.8 else len(value) + rng.randint(-3, 3)
        parts.append((tag, dsb.element(tag, new_vr, value, syntax, length)))
    return _join(rng, parts)


def id_huge_values(rng: random.Random, syntax: Syntax) -> bytes:
    """Long values, many values, false huge lengths, many elements or items."""
    size = _size(rng, 20)
    parts = _valid_elements(syntax)
    pick = rng.randrange(7)
    tag = rng.choice((dsb.PATIENT_ID, dsb.PATIENT_NAME, dsb.ISSUER, 0x00101010))
    if pick == 0:
        value = (b"X" * size)[: size - size % 2] or b"XX"
        parts.append((tag, dsb.element(tag, b"LO", value, syntax)))
    elif pick == 1:
        parts.append((tag, dsb.element(tag, b"LO", b"\\" * size, syntax)))
    elif pick == 2:
        length = rng.choice((0xFFFFFFF0, 0x7FFFFFFF, size * 8, 0xFFFE))
        parts.append((tag, dsb.element(tag, b"UT", b"AB" * 8, syntax, length)))
    elif pick == 3:
        parts.append((tag, dsb.element(tag, b"LO", b"AB" * 4, syntax, dsb.UNDEFINED)))
    elif pick == 4:
        count = min(size, 5000)
        parts += [
            (0x00091000 + n, dsb.element(0x00091000 + n, b"LO", b"AB", syntax))
            for n in range(1, count)
        ]
    elif pick == 5:
        items = [dsb.template_item(syntax)] * min(size, 5000)
        parts.append(
            (dsb.CONTENT_TEMPLATE, dsb.sequence(dsb.CONTENT_TEMPLATE, items, syntax))
        )
    else:
        blob = bytes(size + size % 2)
        parts.append((0x7FE00010, dsb.element(0x7FE00010, b"OB", blob, syntax)))
    return _join(rng, parts)


def _nested(rng: random.Random, syntax: Syntax, depth: int) -> bytes:
    """ContentSequence items nested ``depth`` deep, lengths mixed."""
    inner = dsb.element(dsb.VALUE_TYPE, b"CS", b"TEXT", syntax)
    for _ in range(depth):
        defined = rng.random() < 0.5
        inner = dsb.sequence(
            dsb.CONTENT_SEQUENCE, [dsb.item(inner, syntax, defined)], syntax, defined
        )
    return inner


def _break_sequence(rng: random.Random, raw: bytes, syntax: Syntax) -> bytes:
    """Drop a delimiter, corrupt an item tag or length, or cut the bytes."""
    markers = [
        dsb.marker(tag, syntax, length)[:4]
        for tag, length in ((dsb.ITEM, 0), (dsb.ITEM_END, 0), (dsb.SEQUENCE_END, 0))
    ]
    positions = [i for m in markers for i in _find_all(raw, m)]
    if not positions or rng.random() < 0.2:
        return raw[: rng.randrange(len(raw) + 1)]
    pos = rng.choice(positions)
    pick = rng.randrange(4)
    if pick == 0:  # remove the 8-byte marker
        return raw[:pos] + raw[pos + 8 :]
    if pick == 1:  # another tag in its place
        return raw[:pos] + rng.randbytes(4) + raw[pos + 4 :]
    if pick == 2:  # a false item length
        length = struct.pack("<L" if syntax.little else ">L", rng.getrandbits(32))
        return raw[: pos + 4] + length + raw[pos + 8 :]
    return raw[:pos] + raw[pos : pos + 8] * rng.randint(2, 50) + raw[pos + 8 :]


def _find_all(raw: bytes, needle: bytes) -> list[int]:
    found: list[int] = []
    start = 0
    while len(found) < 64:
        pos = raw.find(needle, start)
        if pos < 0:
            return found
        found.append(pos)
        start = pos + 1
    return found


def id_sequences(rng: random.Random, syntax: Syntax) -> bytes:
    """Deeply nested, broken, oddly populated or misplaced sequences."""
    parts = [p for p in _valid_elements(syntax) if p[0] != dsb.CONTENT_TEMPLATE]
    pick = rng.randrange(5)
    if pick == 0:
        depth = rng.choice((2, 10, 50, 200, 500, 1000, 3000))
        parts.append((dsb.CONTENT_SEQUENCE, _nested(rng, syntax, depth)))
    elif pick == 1:
        count = rng.choice((0, 0, 2, 3, 50))
        items = [dsb.template_item(syntax)] * count
        parts.append(
            (dsb.CONTENT_TEMPLATE, dsb.sequence(dsb.CONTENT_TEMPLATE, items, syntax))
        )
    elif pick == 2:
        inner = _nested(rng, syntax, rng.randint(1, 8))
        body = dsb.item(inner + dsb.template_item(syntax), syntax)
        parts.append(
            (dsb.CONTENT_TEMPLATE, dsb.sequence(dsb.CONTENT_TEMPLATE, [body], syntax))
        )
    elif pick == 3:
        junk = dsb.item(rng.randbytes(_size(rng, 8)), syntax, rng.random() < 0.5)
        parts.append(
            (dsb.CONTENT_TEMPLATE, dsb.sequence(dsb.CONTENT_TEMPLATE, [junk], syntax))
        )
    else:
        parts.append(
            (
                dsb.CONTENT_TEMPLATE,
                dsb.sequence(
                    dsb.CONTENT_TEMPLATE,
                    [dsb.template_item(syntax)],
                    syntax,
                    rng.random() < 0.5,
                ),
            )
        )
        parts.append((dsb.CONTENT_SEQUENCE, _nested(rng, syntax, rng.randint(1, 30))))
    raw = _join(rng, parts)
    return _break_sequence(rng, raw, syntax) if rng.random() < 0.6 else raw


def _charset_value(rng: random.Random) -> bytes:
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(CHARSETS)
    if pick < 0.7:
        return b"\\".join(rng.choice(CHARSETS) for _ in range(rng.randint(2, 5)))
    if pick < 0.85:
        return b"ISO_IR " + str(rng.randint(0, 100000)).encode()
    return rng.randbytes(_size(rng, 6))


def _encoded_text(rng: random.Random) -> bytes:
    """Text in some encoding, escape sequences, or invalid bytes."""
    pick = rng.randrange(5)
    if pick == 0:
        return "Yamada^Tarō=山田^太郎=やまだ^たろう".encode()
    if pick == 1:
        return b"\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B"
    if pick == 2:
        return bytes(rng.randint(0x80, 0xFF) for _ in range(_size(rng, 6)))
    if pick == 3:
        return b"\x1b" + rng.randbytes(_size(rng, 4))
    return "Müller^Jürgen".encode("latin-1")


def id_charset(rng: random.Random, syntax: Syntax) -> bytes:
    """A bad, unknown or multi-valued Specific Character Set with odd text."""
    parts = _valid_elements(syntax)
    charset = _charset_value(rng)
    tag = dsb.SPECIFIC_CHARACTER_SET
    parts.append((tag, dsb.element(tag, b"CS", charset, syntax)))
    for tag in (dsb.PATIENT_NAME, dsb.PATIENT_ID, dsb.ISSUER, 0x00101000):
        if rng.random() < 0.5:
            vr = b"PN" if tag == dsb.PATIENT_NAME else b"LO"
            parts = [p for p in parts if p[0] != tag]
            parts.append((tag, dsb.element(tag, vr, _encoded_text(rng), syntax)))
    return _join(rng, parts)


def mutate_bytes(rng: random.Random, raw: bytes, rounds: int) -> bytes:
    """Flip, overwrite, insert, delete, duplicate or cut bytes."""
    data = bytearray(raw)
    for _ in range(rounds):
        if not data:
            data += rng.randbytes(rng.randint(1, 16))
        pos = rng.randrange(len(data))
        pick = rng.randrange(6)
        if pick == 0:
            data[pos] ^= 1 << rng.randrange(8)
        elif pick == 1:
            value = rng.choice(INTERESTING_U32)
            data[pos : pos + 4] = value.to_bytes(4, rng.choice(("little", "big")))
        elif pick == 2:
            data[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif pick == 3:
            del data[pos : pos + rng.randint(1, 16)]
        elif pick == 4:
            data[pos:pos] = data[pos : pos + rng.randint(1, 32)]
        else:
            del data[pos:]
    return bytes(data)


def id_mutate(rng: random.Random, syntax: Syntax) -> bytes:
    """A valid request with a few random byte-level mutations."""
    charset = b"ISO_IR 192" if rng.random() < 0.3 else None
    raw = dsb.rpi_identifier(syntax, charset=charset)
    return mutate_bytes(rng, raw, rng.randint(1, 8))


IDENTIFIERS: dict[str, Identifier] = {
    "id-random-elements": id_random_elements,
    "id-wrong-vr": id_wrong_vr,
    "id-huge-values": id_huge_values,
    "id-sequences": id_sequences,
    "id-charset": id_charset,
    "id-mutate": id_mutate,
}


def deflate(rng: random.Random, raw: bytes) -> bytes:
    """Raw deflate (PS3.5 A.5) or, sometimes, a broken or missing stream."""
    pick = rng.random()
    packed = zlib.compress(raw, 1)[2:-4]  # strip the zlib header and checksum
    if pick < 0.85:
        return packed
    if pick < 0.9:
        return raw  # not compressed at all
    if pick < 0.95:
        return packed[: rng.randrange(len(packed) + 1)]
    return mutate_bytes(rng, packed, rng.randint(1, 4))


# -------------------------------------------------- messages on the association


@dataclass(frozen=True, slots=True)
class Exchange:
    """Bytes for the reused association and the message ID whose answer ends it."""

    payload: bytes
    awaited_id: int
    framed: bool  # True when the SCP must answer awaited_id (a sound C-FIND/ECHO)


def identifier_exchange(
    rng: random.Random, name: str, cx: wire.Context, message_id: int, max_pdv: int
) -> Exchange:
    """A well-framed C-FIND-RQ carrying a fuzzed identifier."""
    syntax = Syntax(cx.explicit, cx.little)
    identifier = IDENTIFIERS[name](rng, syntax)
    if cx.deflated:
        identifier = deflate(rng, identifier)
    command = wire.command_set(wire.find_command(message_id, cx.abstract))
    return Exchange(wire.message(cx, command, identifier, max_pdv), message_id, True)


COMMAND_FIELDS = (
    0x0001, 0x0010, 0x0021, 0x0030, 0x0FFF, 0x0100, 0x0110, 0x0120, 0x0130,
    0x0140, 0x0150, 0x8020, 0x8030, 0x0000, 0xFFFF,
)  # fmt: skip
SOP_CLASSES = (
    wire.VERIFICATION, "1.2.840.10008.5.1.4.1.1.88.33", "1.2.3", "", "X" * 70,
    "1.2.840.10008.5.1.4.1.2.1.1", wire.RPI_BREAST, wire.RPI_CARDIAC,
)  # fmt: skip


def _mutated_command(rng: random.Random, fields: dict[int, bytes]) -> bytes:
    for _ in range(rng.randint(1, 3)):
        pick = rng.randrange(7)
        tag = rng.choice(list(fields) or [0x00000100])
        if pick == 0:
            fields.pop(tag, None)
        elif pick == 1:
            fields[tag] = rng.randbytes(rng.choice((0, 1, 2, 3, 4, 64)))
        elif pick == 2:
            fields[0x00000002] = wire.uid_bytes(rng.choice(SOP_CLASSES))
        elif pick == 3:
            fields[0x00000100] = wire.us(rng.choice(COMMAND_FIELDS))
        elif pick == 4:
            fields[0x00000800] = wire.us(rng.choice((0x0101, 0x0000, 0x0001, 0xFFFF)))
        elif pick == 5:
            fields[(rng.getrandbits(16))] = random_text(rng)
        else:
            fields[0x00000120] = wire.us(rng.getrandbits(16))
    encoded = wire.command_set(fields)
    if rng.random() < 0.15:
        encoded = mutate_bytes(rng, encoded, rng.randint(1, 4))
    return encoded


def dimse_command(
    rng: random.Random, cx: wire.Context, message_id: int, probe_id: int
) -> Exchange:
    """A C-FIND whose command set is broken, then a C-ECHO probe."""
    fields = wire.find_command(message_id, cx.abstract)
    command = _mutated_command(rng, fields)
    syntax = Syntax(cx.explicit, cx.little)
    data = dsb.rpi_identifier(syntax) if rng.random() < 0.7 else None
    if data is not None and cx.deflated:
        data = deflate(rng, data)
    payload = wire.message(cx, command, data, 16384)
    probe = wire.message(wire.ECHO_CONTEXT, wire.echo_command(probe_id), None, 0)
    return Exchange(payload + probe, probe_id, False)


def _pdata_variant(
    rng: random.Random, cx: wire.Context, command: bytes, data: bytes
) -> bytes:
    pick = rng.randrange(9)
    cid = cx.context_id
    if pick == 0:  # data before command
        return wire.p_data(wire.pdv(cid, 0x02, data), wire.pdv(cid, 0x03, command))
    if pick == 1:  # a context that was never accepted
        bad = rng.choice((0, 2, 4, 200, 255))
        return wire.p_data(wire.pdv(bad, 0x03, command), wire.pdv(bad, 0x02, data))
    if pick == 2:  # reserved control bits
        control = rng.choice((0x04, 0x0F, 0x80, 0xFF, 0x01, 0x00))
        return wire.p_data(wire.pdv(cid, control, command), wire.pdv(cid, 0x02, data))
    if pick == 3:  # a false PDV length
        length = rng.choice(
            (0, 1, 2, len(command) + 1, len(command) + 1000, 0xFFFFFFFF)
        )
        return wire.p_data(wire.pdv(cid, 0x03, command, length))
    if pick == 4:  # the command in one-byte fragments: valid, must be answered
        frags = [wire.pdv(cid, 0x01, command[i : i + 1]) for i in range(len(command))]
        frags[-1] = wire.pdv(cid, 0x03, command[-1:])
        return wire.p_data(*frags) + wire.p_data(wire.pdv(cid, 0x02, data))
    if pick == 5:  # command on one context, data on another
        other = rng.choice(wire.CONTEXTS).context_id
        return wire.p_data(wire.pdv(cid, 0x03, command), wire.pdv(other, 0x02, data))
    if pick == 6:  # an empty P-DATA-TF, then the message
        return wire.p_data() + wire.p_data(
            wire.pdv(cid, 0x03, command), wire.pdv(cid, 0x02, data)
        )
    if pick == 7:  # a command never finished, then a new one
        half = command[: len(command) // 2]
        return wire.p_data(wire.pdv(cid, 0x01, half), wire.pdv(cid, 0x03, command))
    # a P-DATA-TF whose PDU length disagrees with its PDVs
    body = wire.pdv(cid, 0x03, command) + wire.pdv(cid, 0x02, data)
    return wire.pdu(wire.P_DATA_TF, body, len(body) + rng.choice((-3, -1, 1, 7)))


def dimse_pdata(
    rng: random.Random, cx: wire.Context, message_id: int, probe_id: int
) -> Exchange:
    """A C-FIND in broken P-DATA framing, then a C-ECHO probe."""
    syntax = Syntax(cx.explicit, cx.little)
    data = dsb.rpi_identifier(syntax)
    if cx.deflated:
        data = deflate(rng, data)
    command = wire.command_set(wire.find_command(message_id, cx.abstract))
    payload = _pdata_variant(rng, cx, command, data)
    probe = wire.message(wire.ECHO_CONTEXT, wire.echo_command(probe_id), None, 0)
    return Exchange(payload + probe, probe_id, False)


# ------------------------------------------------------ PDUs on new connections


@dataclass(frozen=True, slots=True)
class Stream:
    """Bytes for a new connection; ``stall`` keeps it open without a FIN."""

    chunks: tuple[bytes, ...]
    stall: bool = False
    probe: bool = False  # after an A-ASSOCIATE-AC, send a sound C-FIND and await it


def _valid_find(cx: wire.Context, message_id: int = 1) -> bytes:
    syntax = Syntax(cx.explicit, cx.little)
    data = dsb.rpi_identifier(syntax)
    if cx.deflated:
        data = zlib.compress(data)[2:-4]
    command = wire.command_set(wire.find_command(message_id, cx.abstract))
    return wire.message(cx, command, data, 16384)


def pdu_truncated(rng: random.Random) -> Stream:
    """A PDU cut short (A-ASSOCIATE-RQ, or P-DATA after a sound RQ)."""
    rq = wire.associate_rq()
    if rng.random() < 0.6:
        return Stream((rq[: rng.randrange(len(rq))],))
    find = _valid_find(wire.CONTEXTS[0])
    return Stream((rq, find[: rng.randrange(1, len(find))]))


def _rq_with_bad_length(rng: random.Random) -> bytes:
    """An A-ASSOCIATE-RQ with one false length: PDU, item or sub-item."""
    lengths: dict[str, int | None] = dict.fromkeys(
        ("app", "pc", "abstract", "transfer", "user", "maxlen"), None
    )
    pick = rng.choice([*lengths, "pdu"])
    wrong = rng.choice((0, 1, 3, 0xFF, 0xFFFF, rng.randint(0, 0x200)))
    lengths[pick] = wrong
    cx = wire.CONTEXTS[0]
    body = struct.pack(">BBBB", cx.context_id, 0, 0, 0)
    body += wire.item(0x30, cx.abstract.encode(), lengths["abstract"])
    body += wire.item(0x40, cx.transfer.encode(), lengths["transfer"])
    pc = wire.item(0x20, body, lengths["pc"])
    user = wire.item(0x51, struct.pack(">L", 16384), lengths["maxlen"])
    user += wire.item(0x52, wire.IMPLEMENTATION_UID.encode())
    items = wire.item(0x10, wire.APP_CONTEXT.encode(), lengths["app"]) + pc
    items += wire.item(0x50, user, lengths["user"])
    rq_body = wire.associate_rq_body(items=items)
    if pick != "pdu":
        return wire.pdu(wire.ASSOCIATE_RQ, rq_body)
    wrong_pdu = rng.choice(
        (0, 1, len(rq_body) - rng.randint(1, 40), len(rq_body) + 1, 0xFFFFFFFF)
    )
    return wire.pdu(wire.ASSOCIATE_RQ, rq_body, wrong_pdu)


def pdu_wrong_length(rng: random.Random) -> Stream:
    """False lengths in the A-ASSOCIATE-RQ or in a P-DATA-TF."""
    if rng.random() < 0.7:
        return Stream((_rq_with_bad_length(rng),))
    find = _valid_find(wire.CONTEXTS[0])
    wrong = rng.choice((0, 1, 5, len(find) - 7, len(find) * 3, 0x7FFFFFFF))
    body = find[6:]
    return Stream((wire.associate_rq(), wire.pdu(wire.P_DATA_TF, body, wrong)))


def pdu_garbage_after_rq(rng: random.Random) -> Stream:
    """A sound A-ASSOCIATE-RQ followed by random bytes or a random PDU."""
    rq = wire.associate_rq()
    pick = rng.randrange(3)
    if pick == 0:
        garbage = rng.randbytes(_size(rng, 11))
    elif pick == 1:
        garbage = wire.pdu(rng.randint(0, 255), rng.randbytes(_size(rng, 8)))
    else:
        garbage = _valid_find(wire.CONTEXTS[0]) + rng.randbytes(_size(rng, 8))
    split = rng.random() < 0.5
    return Stream((rq, garbage) if split else (rq + garbage,))


def _menu_pdu(rng: random.Random, name: str) -> bytes:
    return {
        "rq": wire.associate_rq,
        "ac": lambda: wire.pdu(wire.ASSOCIATE_AC, wire.associate_rq_body()),
        "rj": lambda: wire.pdu(wire.ASSOCIATE_RJ, b"\0\x01\x01\x01"),
        "find": lambda: _valid_find(wire.CONTEXTS[0]),
        "data-only": lambda: wire.p_data(wire.pdv(1, 0x02, b"\x10\x00" * 8)),
        "release-rq": wire.release_rq,
        "release-rp": wire.release_rp,
        "abort": wire.abort_pdu,
        "unknown": lambda: wire.pdu(rng.choice((0x00, 0x08, 0x10, 0xFF)), b"\0" * 4),
    }[name]()


MENU = (
    "rq",
    "ac",
    "rj",
    "find",
    "data-only",
    "release-rq",
    "release-rp",
    "abort",
    "unknown",
)


def pdu_out_of_order(rng: random.Random) -> Stream:
    """PDUs in an order the state machine forbids (PS3.8 Table 9-10)."""
    names = [rng.choice(MENU) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.5:
        names.insert(0, "rq")
    if names == ["rq"]:
        names.append(rng.choice(MENU))
    chunks = tuple(_menu_pdu(rng, name) for name in names)
    return Stream(chunks if rng.random() < 0.5 else (b"".join(chunks),))


def _odd_rq_items(rng: random.Random) -> bytes:
    pick = rng.randrange(8)
    app = wire.item(0x10, wire.APP_CONTEXT.encode())
    contexts = b"".join(wire.presentation_item(cx) for cx in wire.CONTEXTS)
    user = wire.user_info()
    if pick == 0:  # no presentation context
        return app + user
    if pick == 1:  # many or duplicate, even-numbered contexts
        cxs = [
            wire.Context(rng.choice((1, 2, 3, 254, 255, 0)), wire.RPI_GENERAL, ts)
            for ts in (wire.EXPLICIT_LE, wire.IMPLICIT_LE) * rng.randint(1, 80)
        ]
        return app + b"".join(wire.presentation_item(cx) for cx in cxs) + user
    if pick == 2:  # unknown or malformed UIDs
        uid = rng.choice(("1.2.3.4", "", "X" * 200, "1..2", "0.0", "\0\0\0"))
        cx = wire.Context(1, uid, rng.choice((wire.EXPLICIT_LE, uid)))
        return app + wire.presentation_item(cx) + user
    if pick == 3:  # no or a wrong application context
        name = rng.choice((b"", b"1.2.3", b"1.2.840.10008.3.1.1.2"))
        return (wire.item(0x10, name) if name else b"") + contexts + user
    if pick == 4:  # odd user information sub-items
        extra = b"".join(
            wire.item(rng.choice((0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x99)),
                      rng.randbytes(_size(rng, 6)))
            for _ in range(rng.randint(1, 6))
        )  # fmt: skip
        return app + contexts + wire.user_info(rng.choice((0, 1, 16384)), extra)
    if pick == 5:  # no user information
        return app + contexts
    if pick == 6:  # unknown item types among the valid ones
        return (
            app + wire.item(rng.randint(0x60, 0xFF), rng.randbytes(8)) + contexts + user
        )
    return b""  # no items at all


def pdu_rq_fields(rng: random.Random) -> Stream:
    """An A-ASSOCIATE-RQ, well framed, with one odd part: version, titles, items."""
    version, called, calling, items = 1, b"RPIQ", b"FUZZER", None
    pick = rng.randrange(4)
    if pick == 0:
        version = rng.choice((0, 2, 0x8001, 0xFFFF))
    elif pick == 1:
        called = rng.choice((b"", b"\x00" * 16, b"\xff" * 16, b"RPIQ\\X", b" " * 16))
    elif pick == 2:
        calling = rng.choice((b"", b"\x1b$B", b"\n\r\t", "ÄÖÜ".encode(), b"*"))
    else:
        items = _odd_rq_items(rng)
    body = wire.associate_rq_body(
        called=called, calling=calling, version=version, items=items
    )
    return Stream((wire.pdu(wire.ASSOCIATE_RQ, body),), probe=True)


def pdu_random(rng: random.Random) -> Stream:
    """Random bytes, sometimes behind a plausible PDU type."""
    raw = rng.randbytes(_size(rng, 12))
    if rng.random() < 0.5:
        raw = bytes([rng.randint(1, 7), 0]) + raw
    return Stream((raw,))


def pdu_stall(rng: random.Random) -> Stream:
    """A partial PDU, then silence: the SCP's timers must close the connection."""
    rq = wire.associate_rq()
    pick = rng.randrange(4)
    if pick == 0:
        return Stream((), stall=True)
    if pick == 1:
        return Stream((rq[: rng.randint(1, 5)],), stall=True)
    if pick == 2:
        return Stream((rq[: rng.randint(6, len(rq) - 1)],), stall=True)
    find = _valid_find(wire.CONTEXTS[0])
    return Stream((rq, find[: rng.randint(1, len(find) - 1)]), stall=True)


STREAMS: dict[str, Callable[[random.Random], Stream]] = {
    "pdu-truncated": pdu_truncated,
    "pdu-wrong-length": pdu_wrong_length,
    "pdu-garbage-after-rq": pdu_garbage_after_rq,
    "pdu-out-of-order": pdu_out_of_order,
    "pdu-rq-fields": pdu_rq_fields,
    "pdu-random": pdu_random,
    "pdu-stall": pdu_stall,
}
DIMSE: dict[str, Callable[[random.Random, wire.Context, int, int], Exchange]] = {
    "dimse-command": dimse_command,
    "dimse-pdata": dimse_pdata,
}

WEIGHTS: dict[str, float] = {
    "id-random-elements": 9,
    "id-wrong-vr": 9,
    "id-huge-values": 5,
    "id-sequences": 9,
    "id-charset": 9,
    "id-mutate": 9,
    "dimse-command": 6,
    "dimse-pdata": 6,
    "pdu-truncated": 7,
    "pdu-wrong-length": 7,
    "pdu-garbage-after-rq": 7,
    "pdu-out-of-order": 7,
    "pdu-rq-fields": 6,
    "pdu-random": 3,
    "pdu-stall": 0.4,
}
CATEGORIES = tuple(WEIGHTS)
