#!/usr/bin/python3
"""make-image-archive.py ROOTFS_TAR OUT_TAR NAME:TAG

Wrap a rootfs tarball as a one-layer docker-archive (the `docker save`
layout: manifest.json, an image config, the layer tar) so `ctr image import`
and `podman load` can take it without a registry."""
import hashlib
import io
import json
import sys
import tarfile


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def main():
    rootfs_tar, out, ref = sys.argv[1:4]
    with open(rootfs_tar, "rb") as f:
        layer = f.read()
    diff_id = "sha256:" + sha256(layer)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "make-rootfs.sh"}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = sha256(config_bytes) + ".json"
    layer_name = sha256(layer) + "/layer.tar"
    manifest = [{"Config": config_name, "RepoTags": [ref], "Layers": [layer_name]}]
    with tarfile.open(out, "w") as t:
        for name, data in ((config_name, config_bytes),
                           (layer_name, layer),
                           ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
