#!/usr/bin/env python3
"""Verify a share-log export (JSON Lines) against a signed checkpoint.

An independent implementation of the gateway's share-log format (C2SP
signed-note and tlog-checkpoint with Ed25519, RFC 9162 Merkle tree over the raw
lines), using only the standard library and `cryptography`:

    python3 tools/verify-export.py --entries FILE --checkpoint FILE --key KEY

KEY is the log's verifier key (`name+keyid+base64`) or a file holding it.
Checks: the checkpoint's signature and origin; line i (0-based) has "seq" i and
the checkpoint's "origin"; the first N lines (N = tree size) hash to its root;
lines past N are reported as not yet covered.
Exit status: 0 if everything holds, 1 if a check fails, 2 on usage or I/O errors.
"""
import argparse, base64, binascii, hashlib, json, os, sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Failed(Exception):
    pass


def b64(text, what):
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Failed(what + " is not base64")
    if base64.b64encode(raw).decode() != text:
        raise Failed(what + " is not canonical base64")
    return raw


def valid_name(name):
    return name != "" and "+" not in name and not any(c.isspace() or ord(c) < 0x20 for c in name)


def parse_key(text):
    parts = text.split("+", 2)
    if len(parts) != 3 or not valid_name(parts[0]) or len(parts[1]) != 8:
        raise Failed("malformed verifier key")
    name, key = parts[0], b64(parts[2], "the verifier key")
    if len(key) != 33 or key[0] != 1:
        raise Failed("the verifier key is not an Ed25519 key")
    key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    if key_id.hex() != parts[1].lower():
        raise Failed("the verifier key's ID does not match its name and key")
    return name, key_id, Ed25519PublicKey.from_public_bytes(key[1:])


def open_checkpoint(note, name, key_id, public_key):
    """Signature check (C2SP signed-note), then the tlog-checkpoint body."""
    try:
        text = note.decode("utf-8")
    except UnicodeDecodeError:
        raise Failed("checkpoint: not UTF-8")
    if any(ord(c) < 0x20 and c != "\n" for c in text) or "\n\n" not in text:
        raise Failed("checkpoint: not a signed note")
    split = text.rindex("\n\n")
    body, sigs = text[:split + 1], text[split + 2:]
    if not sigs.endswith("\n") or sigs.count("\n") > 100:
        raise Failed("checkpoint: malformed signature lines")
    verified = False
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 ") or " " not in line[2:]:
            raise Failed("checkpoint: malformed signature line")
        signer, blob = line[2:].split(" ", 1)
        blob = b64(blob, "checkpoint: a signature")
        if not valid_name(signer) or len(blob) < 5:
            raise Failed("checkpoint: malformed signature line")
        if signer == name and blob[:4] == key_id and not verified:  # the first such line decides
            try:
                public_key.verify(blob[4:], body.encode())
            except InvalidSignature:
                raise Failed("checkpoint: the signature by %s does not verify" % name)
            verified = True
    if not verified:
        raise Failed("checkpoint: no signature by key %s+%s" % (name, key_id.hex()))
    lines = body[:-1].split("\n")
    if len(lines) < 3 or "" in lines or not lines[1].isdigit() or not lines[1].isascii() \
            or (lines[1] != "0" and lines[1].startswith("0")):
        raise Failed("checkpoint: not a tlog checkpoint")
    root = b64(lines[2], "checkpoint: the root hash")
    if len(root) != 32:
        raise Failed("checkpoint: the root hash is not 32 bytes")
    if lines[0] != name:
        raise Failed("checkpoint: origin %r is not the key's log %r" % (lines[0], name))
    return lines[0], int(lines[1]), root


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(stack):
    """RFC 9162 MTH from the stack of complete subtrees (largest first)."""
    if not stack:
        return hashlib.sha256(b"").digest()
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = node(left, root)
    return root


def check_entry(i, leaf, origin):
    try:
        pairs = json.loads(leaf.decode("utf-8"), object_pairs_hook=lambda p: p,
                           parse_constant=lambda c: 1 / 0)
    except (ValueError, ZeroDivisionError, RecursionError):
        raise Failed("line %d: not valid JSON" % i)
    if not isinstance(pairs, list) or any(not isinstance(p, tuple) for p in pairs):
        raise Failed("line %d: not a JSON object" % i)
    fields = {}
    for key, value in pairs:
        if key in fields and key in ("seq", "origin"):
            raise Failed('line %d: duplicate "%s" member' % (i, key))
        fields[key] = value
    seq, origin_value = fields.get("seq"), fields.get("origin")
    if type(seq) is not int:
        raise Failed('line %d: "seq" is missing or not an integer' % i)
    if seq != i:
        raise Failed("line %d: seq %d, expected %d: an entry is missing or out of order" % (i, seq, i))
    if not isinstance(origin_value, str):
        raise Failed('line %d: "origin" is missing or not a string' % i)
    if origin_value != origin:
        raise Failed("line %d: origin %r, expected %r: the entry belongs to another log" % (i, origin_value, origin))

def verify(entries_path, note, key_text):
    name, key_id, public_key = parse_key(key_text)
    origin, size, root = open_checkpoint(note, name, key_id, public_key)
    stack, count = [], 0  # stack of (leaf count, hash) of complete subtrees; lines read
    if size == 0 and root_of(stack) != root:
        raise Failed("the empty tree does not match the checkpoint's root hash")
    with open(entries_path, "rb") as entries:
        for i, line in enumerate(entries):
            count = i + 1
            if not line.endswith(b"\n"):
                raise Failed("line %d: not terminated by a newline" % i)
            check_entry(i, line[:-1], origin)
            if i < size:
                stack.append((1, hashlib.sha256(b"\x00" + line[:-1]).digest()))
                while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
                    (n, right), (_, left) = stack.pop(), stack.pop()
                    stack.append((2 * n, node(left, right)))
                if i == size - 1 and root_of(stack) != root:
                    raise Failed("the first %d entries do not match the checkpoint's root hash: "
                                 "an entry was changed, inserted or removed" % size)
    if count < size:
        raise Failed("the export is truncated: it has %d entries, the checkpoint covers %d" % (count, size))
    return "%d entries verified against the checkpoint of %s (tree size %d); %d entries not yet covered" % (
        size, origin, size, count - size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", required=True, help="the JSON Lines export")
    parser.add_argument("--checkpoint", required=True, help="the checkpoint (signed note)")
    parser.add_argument("--key", required=True, help="verifier key, or a file holding it")
    args = parser.parse_args()
    try:
        key = args.key
        if os.path.isfile(key):
            with open(key) as f:
                key = f.read()
        with open(args.checkpoint, "rb") as f:
            note = f.read()
        print("OK: " + verify(args.entries, note, key.strip()))
    except Failed as failure:
        print("FAILED: %s" % failure, file=sys.stderr)
        return 1
    except OSError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
