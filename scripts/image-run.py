#!/usr/bin/env python3
"""Runs a container image from its tarball without a container runtime, the way a runtime would.

  image-run.py unpack IMAGE.tar DIR     applies the image's layers in order (whiteouts included) to DIR/rootfs and
                                        writes the image's config to DIR/config.json
  image-run.py run DIR [-e NAME=VALUE]... [-- ARG...]
                                        runs the image's own Entrypoint (+ Cmd, or the ARGs) from its config, as its
                                        User, in its WorkingDir, with its Env (plus -e, as `docker run -e`), chrooted
                                        into DIR/rootfs

The run is what a runtime does with a pod's securityContext readOnlyRootFilesystem and an emptyDir on /tmp: a
private mount namespace; the root filesystem bound read-only; fresh /proc, a read-only /sys, a tmpfs /tmp, a
/dev with only null, zero, full, random, urandom and tty; the host's /etc/hosts and /etc/resolv.conf (a runtime
writes its own). It shares the host's network namespace (no CNI here), so the process listens on and connects to the
host's loopback. It exec()s the entry point in place: the caller's process becomes the image's process, and
signals reach it directly. Needs root (mount namespace, chroot). Accepts the `docker save` layout that Jib's
buildTar and scripts/build-base-image.sh write.
"""
import json
import os
import subprocess
import sys
import tarfile

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
DEVICES = ["null", "zero", "full", "random", "urandom", "tty"]


def fail(message):
    print(f"image-run: {message}", file=sys.stderr)
    sys.exit(2)


def unpack(image_tar, target):
    rootfs = os.path.join(target, "rootfs")
    if os.path.exists(rootfs):
        fail(f"{rootfs} exists already; unpack into a fresh directory")
    os.makedirs(rootfs)
    with tarfile.open(image_tar) as image:
        manifest = json.load(image.extractfile("manifest.json"))
        if len(manifest) != 1:
            fail(f"{image_tar} holds {len(manifest)} images, expected one")
        config = json.load(image.extractfile(manifest[0]["Config"]))
        for layer in manifest[0]["Layers"]:
            with tarfile.open(fileobj=image.extractfile(layer)) as entries:
                apply_layer(entries, rootfs, layer)
    with open(os.path.join(target, "config.json"), "w") as out:
        json.dump(config, out, indent=1)


def apply_layer(entries, rootfs, name):
    for member in entries:
        path = os.path.normpath(member.name.lstrip("/"))
        if path == "." :
            continue
        if path.startswith(".."):
            fail(f"layer {name}: entry {member.name} points outside the root filesystem")
        parent, base = os.path.split(path)
        refuse_symlinked_parent(rootfs, parent, name, member.name)
        if base == OPAQUE:
            directory = os.path.join(rootfs, parent)
            for child in os.listdir(directory) if os.path.isdir(directory) else []:
                remove(os.path.join(directory, child))
            continue
        if base.startswith(WHITEOUT):
            remove(os.path.join(rootfs, parent, base[len(WHITEOUT):]))
            continue
        destination = os.path.join(rootfs, path)
        if os.path.lexists(destination) and not (member.isdir() and os.path.isdir(destination)):
            remove(destination)
        member.name = path
        # The layers are ours (Jib's and the Debian base's): they hold absolute symlinks, which the stricter filters
        # refuse; writes through a symlinked directory are refused above instead.
        entries.extract(member, rootfs, numeric_owner=True, filter="fully_trusted")


def refuse_symlinked_parent(rootfs, parent, layer, entry):
    current = rootfs
    for part in [p for p in parent.split("/") if p]:
        current = os.path.join(current, part)
        if os.path.islink(current):
            fail(f"layer {layer}: entry {entry} would be written through the symlink {current}")


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        subprocess.run(["rm", "-rf", "--one-file-system", path], check=True)
    elif os.path.lexists(path):
        os.unlink(path)


def user_ids(rootfs, user):
    """`User` as a runtime reads it: uid[:gid] numbers, or names looked up in the image's /etc/passwd and group."""
    if not user:
        return 0, 0
    name, _, group = user.partition(":")

    def lookup(file, key, field):
        if key.isdigit():
            return int(key)
        with open(os.path.join(rootfs, "etc", file)) as entries:
            for line in entries:
                parts = line.split(":")
                if parts[0] == key:
                    return int(parts[field])
        fail(f"User {user}: no {key} in the image's /etc/{file}")

    uid = lookup("passwd", name, 2)
    if group:
        return uid, lookup("group", group, 2)
    if name.isdigit():
        return uid, uid
    return uid, lookup("passwd", name, 3)


def run(target, extra_env, args):
    with open(os.path.join(target, "config.json")) as file:
        config = json.load(file).get("config", {})
    entrypoint = config.get("Entrypoint") or []
    command = entrypoint + (args if args else (config.get("Cmd") or []))
    if not command:
        fail("the image has neither Entrypoint nor Cmd")
    env = dict(entry.split("=", 1) for entry in config.get("Env") or [])
    env.update(extra_env)
    rootfs = os.path.realpath(os.path.join(target, "rootfs"))
    uid, gid = user_ids(rootfs, config.get("User", ""))
    workdir = config.get("WorkingDir") or "/"
    if os.environ.get("IMAGE_RUN_IN_NAMESPACE") != rootfs:
        # Again, in a mount namespace of our own: every mount below disappears with the process.
        os.environ["IMAGE_RUN_IN_NAMESPACE"] = rootfs
        os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable] + sys.argv)
    for mount_point in ["etc/hosts", "etc/resolv.conf"]:
        path = os.path.join(rootfs, mount_point)
        if not os.path.lexists(path):
            open(path, "w").close()
    # As runc does, before the root turns read-only: a WorkingDir the image lacks is created, not an error.
    os.makedirs(os.path.join(rootfs, workdir.lstrip("/")), exist_ok=True)
    mount("--bind", rootfs, rootfs)
    mount("-o", "remount,bind,ro", rootfs)
    mount("-t", "proc", "-o", "nosuid,nodev,noexec", "proc", f"{rootfs}/proc")
    mount("-t", "sysfs", "-o", "ro,nosuid,nodev,noexec", "sysfs", f"{rootfs}/sys")
    mount("-t", "tmpfs", "-o", "nosuid,nodev,mode=1777", "tmpfs", f"{rootfs}/tmp")
    mount("-t", "tmpfs", "-o", "nosuid,mode=0755", "tmpfs", f"{rootfs}/dev")
    for device in DEVICES:
        open(f"{rootfs}/dev/{device}", "w").close()
        mount("--bind", f"/dev/{device}", f"{rootfs}/dev/{device}")
    for mount_point in ["etc/hosts", "etc/resolv.conf"]:
        if os.path.exists(f"/{mount_point}"):
            mount("--bind", "-o", "ro", f"/{mount_point}", f"{rootfs}/{mount_point}")
    print(f"image-run: uid={uid} gid={gid} cwd={workdir} exec {' '.join(command)}", file=sys.stderr, flush=True)
    os.chroot(rootfs)
    os.chdir(workdir)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        fail(f"{command[0]} is not on the image's PATH ({env.get('PATH', '')})")


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def main(argv):
    if len(argv) >= 3 and argv[0] == "unpack":
        unpack(argv[1], argv[2])
        return
    if len(argv) >= 2 and argv[0] == "run":
        target, rest, env, args = argv[1], argv[2:], {}, []
        while rest:
            option = rest.pop(0)
            if option == "-e" and rest and "=" in rest[0]:
                name, value = rest.pop(0).split("=", 1)
                env[name] = value
            elif option == "--":
                args = rest
                break
            else:
                fail(f"unknown option {option}")
        if os.geteuid() != 0:
            fail("running an image needs root (a mount namespace and chroot)")
        run(target, env, args)
        return
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
