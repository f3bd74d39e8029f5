#!/usr/bin/env python3
"""Adds a health check and a load name to an OCI image layout made by umoci, which sets neither.

usage: add-healthcheck.py LAYOUT NAME:TAG

The image config gains Docker's `Healthcheck` (podman and docker read it; the OCI spec has no
field for it): `vertrouwd health` every 30 s. The index entry gains `io.containerd.image.name`,
the name `docker load` gives the image. Changed blobs are written under their new digests and the
old ones removed, so the layout stays valid."""
import hashlib
import json
import os
import sys

SECOND = 1_000_000_000


def blob_path(layout, digest):
    algorithm, value = digest.split(":", 1)
    return os.path.join(layout, "blobs", algorithm, value)


def rewrite(layout, descriptor, change):
    path = blob_path(layout, descriptor["digest"])
    with open(path, "rb") as handle:
        document = json.load(handle)
    change(document)
    data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, digest), "wb") as handle:
        handle.write(data)
    if blob_path(layout, digest) != path:
        os.remove(path)
    descriptor["digest"], descriptor["size"] = digest, len(data)


def main(layout, name):
    index_path = os.path.join(layout, "index.json")
    with open(index_path, encoding="utf-8") as handle:
        index = json.load(handle)
    tag = name.rsplit(":", 1)[1]
    entries = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    if len(entries) != 1:
        sys.exit(f"no single manifest tagged {tag} in {index_path}")
    entry = entries[0]

    def add_healthcheck(config):
        config.setdefault("config", {})["Healthcheck"] = {
            "Test": ["CMD", "/usr/bin/vertrouwd", "health"],
            "Interval": 30 * SECOND,
            "Timeout": 10 * SECOND,
            "StartPeriod": 60 * SECOND,
            "Retries": 3,
        }

    def update_manifest(manifest):
        rewrite(layout, manifest["config"], add_healthcheck)

    rewrite(layout, entry, update_manifest)
    entry["annotations"]["io.containerd.image.name"] = name
    with open(index_path, "w", encoding="utf-8") as handle:
        json.dump(index, handle, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
