#!/usr/bin/env python3
"""Runs a Jib image tar without a container engine, to check on a machine that has none (as the
build machines here) that an image is complete and starts: unpacks its layers into a folder and
runs its entrypoint there under chroot, in its working directory, as its user, with its
environment plus the caller's ADVRANK_* and JAVA_TOOL_OPTIONS variables, /proc and /dev bound in
as a container runtime provides them, and the host's network. No isolation beyond that.

Needs root (chroot, mount). Stops the service on SIGINT/SIGTERM and removes the folder.
Usage: deploy/images/run-in-chroot.py [--bind SRC:DST]... IMAGE.tar [ARG...]
  e.g. ADVRANK_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 deploy/images/run-in-chroot.py \
         --bind deploy/k8s/base/settings/ranker.properties:/etc/advrank/ranker.properties \
         services/ranker/target/jib-image.tar --settings /etc/advrank/ranker.properties
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile


def unpack(image_tar, root):
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(image_tar) as t:
            t.extractall(tmp)
        manifest = json.load(open(os.path.join(tmp, "manifest.json")))[0]
        config = json.load(open(os.path.join(tmp, manifest["Config"])))["config"]
        for layer in manifest["Layers"]:
            with tarfile.open(os.path.join(tmp, layer)) as t:
                t.extractall(root)
    return config


def main():
    args = sys.argv[1:]
    binds = [("/proc", "/proc"), ("/dev", "/dev")]
    while len(args) >= 2 and args[0] == "--bind":
        src, _, dst = args[1].partition(":")
        binds.append((os.path.abspath(src), dst))
        args = args[2:]
    if not args or os.geteuid() != 0:
        sys.exit(__doc__)
    root = tempfile.mkdtemp(prefix="advrank-image-")
    os.chmod(root, 0o755)  # the image's user must reach its files; mkdtemp makes it 0700
    mounts = []
    try:
        config = unpack(args[0], root)
        for src, dst in binds:
            target = root + dst
            if os.path.isdir(src):
                os.makedirs(target, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "a").close()
            subprocess.run(["mount", "--bind", src, target], check=True)
            mounts.append(target)
        env = dict(kv.split("=", 1) for kv in config.get("Env", []))
        env.update({k: v for k, v in os.environ.items()
                    if k.startswith("ADVRANK_") or k == "JAVA_TOOL_OPTIONS"})
        argv = config["Entrypoint"] + (args[1:] or config.get("Cmd") or [])
        uid, _, gid = config.get("User", "0").partition(":")
        pid = os.fork()
        if pid == 0:
            try:
                os.chroot(root)
                os.chdir(config.get("WorkingDir", "/"))
                os.setgroups([])
                os.setgid(int(gid or uid))
                os.setuid(int(uid))
                os.execve(argv[0], argv, env)
            except OSError as e:
                # The child must not run the parent's clean-up below.
                print(f"run-in-chroot: cannot start {argv[0]}: {e}", file=sys.stderr)
                os._exit(127)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda s, _: os.kill(pid, signal.SIGTERM))
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    finally:
        unmounted = all([subprocess.run(["umount", t]).returncode == 0 for t in reversed(mounts)])
        if unmounted:
            shutil.rmtree(root, ignore_errors=True)
        else:
            # Never delete through a bind mount that is still there: that would be the host's /dev.
            print(f"run-in-chroot: could not unmount under {root}; left it", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
