#!/usr/bin/python3
"""check-readme.py README.md

The README's client snippets must be the configuration the client tests use:
each TOML block under "Using husk from ..." is parsed and compared, key by key,
with the template in this directory that the tests write (podman.bats,
containerd.bats; the rootless section's with either cgroup manager) or, for CRI-O, which has no test here, with crio-husk.conf.in.
Prints one line per problem; exit 1 if any."""
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CRIO_RUNTIME_KEYS = {"runtime_path", "runtime_type", "runtime_root", "monitor_path",
                     "monitor_cgroup", "monitor_env", "allowed_annotations",
                     "privileged_without_host_devices", "runtime_config_path"}
problems = []


def section(text, heading):
    m = re.search(r"^## " + re.escape(heading) + r"\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        problems.append(f"README has no section '## {heading}'")
        return ""
    return m.group(1)


def blocks(text, lang):
    return re.findall(r"^```" + lang + r"\n(.*?)^```", text, re.M | re.S)


def template(name, husk):
    with open(os.path.join(HERE, name)) as f:
        return tomllib.loads(f.read().replace("@HUSK@", husk))


def leaves(d, prefix=()):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from leaves(v, prefix + (k,))
        else:
            yield prefix + (k,), v


def lookup(d, path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return KeyError
        d = d[k]
    return d


def same_leaves(where, readme, tmpl, skip_prefix=()):
    """every leaf of the README snippet has the template's value"""
    for path, value in leaves(readme):
        if path[:len(skip_prefix)] == skip_prefix and skip_prefix:
            continue
        want = lookup(tmpl, path)
        if want is KeyError:
            problems.append(f"{where}: {'.'.join(path)} is not in the tested configuration")
        elif want != value:
            problems.append(f"{where}: {'.'.join(path)} = {value!r}, the test uses {want!r}")


def one_toml(where, text):
    b = blocks(text, "toml")
    if len(b) != 1:
        problems.append(f"{where}: expected one toml block, found {len(b)}")
        return {}
    try:
        return tomllib.loads(b[0])
    except tomllib.TOMLDecodeError as e:
        problems.append(f"{where}: {e}")
        return {}


def check_podman(text):
    where = "podman"
    conf = one_toml(where, text)
    husk = (lookup(conf, ("engine", "runtimes", "husk")) or [None])
    if husk is KeyError or not isinstance(husk, list) or len(husk) != 1:
        problems.append(f"{where}: [engine.runtimes] husk must be a one-path list")
        return
    tmpl = template("containers.conf.in", husk[0])
    if "husk" not in (lookup(conf, ("engine", "runtime_supports_json")) or []):
        problems.append(f"{where}: runtime_supports_json must name husk")
    same_leaves(where, conf, tmpl)


def check_rootless(text):
    """the user's containers.conf: the tested one, with either cgroup
    manager (podman-rootless.bats uses cgroupfs, the VM tests both)"""
    where = "rootless podman"
    conf = one_toml(where, text)
    husk = (lookup(conf, ("engine", "runtimes", "husk")) or [None])
    if husk is KeyError or not isinstance(husk, list) or len(husk) != 1:
        problems.append(f"{where}: [engine.runtimes] husk must be a one-path list")
        return
    manager = lookup(conf, ("engine", "cgroup_manager"))
    if manager not in ("systemd", "cgroupfs"):
        problems.append(f"{where}: cgroup_manager = {manager!r}, the tests use systemd and cgroupfs")
    else:
        conf["engine"]["cgroup_manager"] = "cgroupfs"
    tmpl = template("containers.conf.in", husk[0])
    if "husk" not in (lookup(conf, ("engine", "runtime_supports_json")) or []):
        problems.append(f"{where}: runtime_supports_json must name husk")
    same_leaves(where, conf, tmpl)


def check_containerd(text):
    where = "containerd"
    conf = one_toml(where, text)
    rt = lookup(conf, ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "husk"))
    if rt is KeyError:
        problems.append(f"{where}: no [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.husk]")
        return
    husk = lookup(rt, ("options", "BinaryName"))
    tmpl = template("containerd-config.toml.in", husk if isinstance(husk, str) else "")
    want = lookup(tmpl, ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "husk"))
    if rt != want:
        problems.append(f"{where}: runtimes.husk is {rt!r}, the test uses {want!r}")
    same_leaves(where, conf, tmpl)
    yaml = blocks(text, "yaml")
    with open(os.path.join(HERE, "runtimeclass.yaml")) as f:
        want_yaml = f.read()
    if want_yaml not in yaml:
        problems.append(f"{where}: the RuntimeClass block differs from runtimeclass.yaml")
    if not re.search(r"^handler: husk$", want_yaml, re.M):
        problems.append(f"{where}: RuntimeClass handler is not the runtimes table name husk")


def check_crio(text):
    where = "CRI-O"
    conf = one_toml(where, text)
    rt = lookup(conf, ("crio", "runtime", "runtimes", "husk"))
    if rt is KeyError:
        problems.append(f"{where}: no [crio.runtime.runtimes.husk]")
        return
    unknown = set(rt) - CRIO_RUNTIME_KEYS
    if unknown:
        problems.append(f"{where}: not CRI-O runtime handler keys: {sorted(unknown)}")
    tmpl = template("crio-husk.conf.in", rt.get("runtime_path", ""))
    if conf != tmpl:
        problems.append(f"{where}: snippet {conf!r} differs from crio-husk.conf.in {tmpl!r}")


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    check_podman(section(text, "Using husk from podman"))
    check_rootless(section(text, "Rootless: podman and buildah as a user"))
    check_containerd(section(text, "Using husk from containerd and Kubernetes"))
    check_crio(section(text, "Using husk from CRI-O"))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
