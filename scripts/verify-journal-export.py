#!/usr/bin/env python3
"""Checks a Vertrouwd journal export (logboek.json) without Vertrouwd: recomputes the SHA-256 hash
chain over every version, exactly as written, and compares the last link with the head printed on
the export. Exit code 0 when intact, 1 when anything was changed, removed, reordered or back-dated.

    python3 verify-journal-export.py logboek.json [expected-head]
"""

import hashlib
import json
import sys

GENESIS = "0" * 64


def verify(export: dict) -> str:
    previous = GENESIS
    for index, item in enumerate(export["versions"], start=1):
        link = item["link"]
        if link["sequence"] != index:
            raise ValueError(f"version {index} is missing or out of order")
        if link["previous"] != previous:
            raise ValueError(f"version {index} does not follow from the one before")
        content = hashlib.sha256(item["entry"].encode("utf-8")).hexdigest()
        if content != link["contentDigest"]:
            raise ValueError(f"version {index}: the text differs from what was written")
        text = "\n".join([previous, str(link["sequence"]), link["entryID"].lower(), str(link["version"]), link["writtenAt"], content])
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != link["digest"]:
            raise ValueError(f"version {index}: its time, number or place was changed")
        previous = digest
    if previous != export["head"]:
        raise ValueError("the last link is not the head named in the export")
    return previous


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip())
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        export = json.load(handle)
    try:
        head = verify(export)
    except (ValueError, KeyError, TypeError) as problem:
        print(f"NOT intact: {problem}")
        return 1
    if len(sys.argv) > 2 and sys.argv[2].strip().lower() != head:
        print("NOT intact: the head differs from the one on the printed page")
        return 1
    print(f"intact: {len(export['versions'])} versions, head {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
