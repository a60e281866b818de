#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test signal and bit-exact comparator of the virtio_snd harness.

  sig.py gen FORMAT CHANNELS FRAMES OUT
      write FRAMES frames of the test signal: every sample is a 32-bit
      pseudo-random value from a per-(frame, channel) hash, cut to the
      format, never equal to the format's silence; so a dropped, repeated,
      shifted or zeroed frame changes the sequence.
  sig.py stereo FORMAT MONO STEREO
      write MONO as the left channel of STEREO, a zero on the right
      (QEMU's mixing engine makes mono capture as left + right: exact).
  sig.py cmp FORMAT CHANNELS EXPECTED[@BYTES] RECEIVED [--prefix MINFRAMES]
      RECEIVED must be: silence, EXPECTED, silence (whole frames).  With
      --prefix, RECEIVED must be silence then the first N >= MINFRAMES
      frames of EXPECTED (a recording of a longer injected signal).
      Prints one line; exit 0 only when bit-exact.
  sig.py cmp-many
      the same for every line of stdin, "NAME FORMAT CHANNELS
      EXPECTED[@BYTES] RECEIVED[,RECEIVED...] [MINFRAMES]" (RECEIVED: the
      files that together hold what arrived, "-" for none; MINFRAMES: as
      --prefix), in one process: prints "NAME ok|fail MESSAGE" per line.
  sig.py reset PLAYED MINFRAMES
      PLAYED starts with what pcmtest reset wrote (S32_LE stereo; left:
      0x5A, generation, serial number; right: buffer offset): generation
      0 from serial 0, then generation 1, each without a gap or repeat,
      at least MINFRAMES of each.  Prints one line; exit 0 if so.
"""
import struct
import sys

# name: (bytes per sample, silence sample)
FORMATS = {
    "S8": (1, b"\x00"), "U8": (1, b"\x80"),
    "S16_LE": (2, b"\x00\x00"), "U16_LE": (2, b"\x00\x80"),
    "S32_LE": (4, b"\x00" * 4), "U32_LE": (4, b"\x00\x00\x00\x80"),
    "FLOAT_LE": (4, b"\x00" * 4),
}


def sample(fmt, n, ch):
    x = (n * 0x9E3779B1 + ch * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    width, sil = FORMATS[fmt]
    if fmt == "FLOAT_LE":
        # exact float32 values in (-1, 1): 24-bit mantissa / 2^23
        v = ((x & 0xFFFFFF) - 0x800000) / 8388608.0
        b = struct.pack("<f", v if v != 0.0 else 0.5)
    else:
        b = (x & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    if b == sil:
        b = bytes([b[0] ^ 1]) + b[1:]
    return b


def gen(fmt, channels, frames):
    return b"".join(sample(fmt, n, c) for n in range(frames)
                    for c in range(channels))


def compare(fmt, channels, exp, got, prefix=None):
    width, sil = FORMATS[fmt]
    fsz = width * channels
    silf = sil * channels
    nexp = len(exp) // fsz
    if len(got) % fsz:
        return False, f"received {len(got)} bytes: not whole {fsz}-byte frames"
    ngot = len(got) // fsz
    lead = 0
    while lead < ngot and got[lead * fsz:(lead + 1) * fsz] == silf:
        lead += 1
    if lead == ngot:
        return False, f"received {ngot} frames of silence only"
    body = got[lead * fsz:]
    if prefix is not None:
        n = min(len(body), len(exp)) // fsz
        if n < prefix:
            return False, f"only {n} signal frames received, want >= {prefix}"
        nchk = n
    else:
        nchk = nexp
    # the frame loop only finds and explains the first difference
    same = body[:nchk * fsz] == exp[:nchk * fsz]
    for i in range(0 if same else nchk):
        a = body[i * fsz:(i + 1) * fsz]
        if a != exp[i * fsz:(i + 1) * fsz]:
            if not a:
                return False, (f"truncated: {i} of {nexp} frames received "
                               f"(after {lead} frames of leading silence)")
            what = "silence" if a == silf else a.hex()
            hint = ""
            for d in (-2, -1, 1, 2):
                j = i + d
                if 0 <= j < nexp and a == exp[j * fsz:(j + 1) * fsz]:
                    hint = f" (= sent frame {j}: {'dropped' if d > 0 else 'repeated'} frame(s))"
            return False, (f"first mismatch at signal frame {i} (received "
                           f"frame {lead + i}): got {what}, sent "
                           f"{exp[i * fsz:(i + 1) * fsz].hex()}{hint}")
    tail = body[nchk * fsz:]
    if prefix is None:
        for i in range(len(tail) // fsz):
            if tail[i * fsz:(i + 1) * fsz] != silf:
                return False, (f"{nexp} frames exact, then non-silence at "
                               f"trailing frame {i}: extra/repeated data")
        return True, (f"bit-exact: {nexp} frames ({lead} leading, "
                      f"{len(tail) // fsz} trailing silence)")
    return True, f"bit-exact: {nchk} frames ({lead} leading silence)"


def cmp_files(fmt, channels, expected, received, prefix):
    """compare() on files: EXPECTED[@BYTES], the concatenated RECEIVED"""
    path, _, nbytes = expected.partition("@")
    with open(path, "rb") as f:
        exp = f.read(int(nbytes)) if nbytes else f.read()
    got = b""
    for name in received:
        try:
            with open(name, "rb") as f:
                got += f.read()
        except OSError as e:
            return False, f"no received data: {e.strerror}"
    return compare(fmt, channels, exp, got, prefix)


def reset_check(played, minframes):
    """Generation 0 then 1, each frame the next of its generation."""
    runs = []       # [generation, first serial, frames]
    for i in range(0, len(played) - 7, 8):
        left, off = struct.unpack_from("<II", played, i)
        if left >> 24 != 0x5A:
            break
        gen, serial = left >> 20 & 0xF, left & 0xFFFFF
        if runs and runs[-1][0] == gen:
            want = (runs[-1][1] + runs[-1][2]) & 0xFFFFF
            if serial != want:
                return False, (f"frame {i // 8} (offset {off}): generation "
                               f"{gen} serial {serial}, expected {want}: a "
                               f"period played out of turn")
            runs[-1][2] += 1
        else:
            runs.append([gen, serial, 1])
    desc = ", ".join(f"gen {g}: {n} frames from serial {s}"
                     for g, s, n in runs)
    if [r[0] for r in runs] != [0, 1] or runs[0][1] != 0:
        return False, f"played {desc or 'nothing of the test'}, expected gen 0 from serial 0, then gen 1"
    if min(r[2] for r in runs) < minframes:
        return False, f"played {desc}: fewer than {minframes} frames of one"
    return True, f"played {desc}"


def main(argv):
    if len(argv) == 6 and argv[1] == "gen":
        with open(argv[5], "wb") as f:
            f.write(gen(argv[2], int(argv[3]), int(argv[4])))
        return 0
    if len(argv) == 5 and argv[1] == "stereo":
        width, sil = FORMATS[argv[2]]
        if argv[2].startswith("U"):
            # QEMU maps unsigned silence to +1 LSB: one below it adds 0
            sil = ((1 << (8 * width - 1)) - 1).to_bytes(width, "little")
        with open(argv[3], "rb") as f:
            mono = f.read()
        with open(argv[4], "wb") as f:
            f.write(b"".join(mono[i:i + width] + sil
                             for i in range(0, len(mono), width)))
        return 0
    if len(argv) in (6, 8) and argv[1] == "cmp":
        prefix = int(argv[7]) if len(argv) == 8 else None
        good, msg = cmp_files(argv[2], int(argv[3]), argv[4], [argv[5]],
                              prefix)
        print(msg)
        return 0 if good else 1
    if len(argv) == 2 and argv[1] == "cmp-many":
        for line in sys.stdin:
            f = line.split()
            if len(f) not in (5, 6):
                print(f"{f[0] if f else '?'} fail bad cmp-many line: {line.strip()}")
                continue
            rec = [] if f[4] == "-" else f[4].split(",")
            good, msg = cmp_files(f[1], int(f[2]), f[3], rec,
                                  int(f[5]) if len(f) == 6 else None)
            print(f"{f[0]} {'ok' if good else 'fail'} {msg}", flush=True)
        return 0
    if len(argv) == 4 and argv[1] == "reset":
        try:
            with open(argv[2], "rb") as f:
                played = f.read()
        except OSError as e:
            print(f"no played data: {e.strerror}")
            return 1
        good, msg = reset_check(played, int(argv[3]))
        print(msg)
        return 0 if good else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
