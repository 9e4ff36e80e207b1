"""`schema-check check` of a crate of 200 cache structs over 300 migrations (the crate of
scripts/bench_derive.py) against the replay alone (`schema-check schema` of its migrations),
in the same run: N interleaved runs of each, the fastest CPU time (user + system, the
process and its children) of each, and their ratio. Target: check <= 1.5x the replay."""

import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import bench_derive  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TARGET = 1.5


def cpu(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ws = bench_derive.WORKSPACE
    # The command alone (no database clients): what CI installs to run `check`.
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "schema-check", "--no-default-features", "--features", "cli"],
        cwd=ws,
        check=True,
    )
    exe = os.path.join(ws, "target", "release", "schema-check")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "structs")
        bench_derive.crate(root, "structs", True, False)
        replay = [exe, "schema", "migrations", "--format", "json"]
        check = [exe, "check", ".", "--format", "json"]
        samples = {"replay": [], "check": []}
        for _ in range(RUNS):
            samples["replay"].append(cpu(replay, root))
            samples["check"].append(cpu(check, root))
    r, c = min(samples["replay"]), min(samples["check"])
    print(f"{bench_derive.STRUCTS} structs, {bench_derive.MIGRATIONS} migrations, fastest of {RUNS} interleaved runs (CPU)")
    print(f"replay alone (schema --format json): {r * 1000:.1f} ms")
    print(f"check (every struct):                {c * 1000:.1f} ms")
    ratio = c / r
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
