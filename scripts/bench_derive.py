"""Generates two crates (200 structs, 300 migrations) that differ only in
#[derive(CacheContract)] (and optionally a third with another checkout's derive), and
measures `cargo build` of each: a clean build of the crate (dependencies prebuilt) and an
incremental rebuild after touching one source file. Wall and CPU times (fastest of N
interleaved runs), or with --instructions the instructions rustc executes (cachegrind), or
with --split those instructions split into the proc macros' own code and the rest (callgrind)."""

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

STRUCTS = 200
MIGRATIONS = 300
FILES = 20  # source files, 10 structs each

WORKSPACE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def migrations(dir):
    os.makedirs(dir)
    for i in range(STRUCTS):
        with open(os.path.join(dir, f"{i + 1:04}_t{i}.sql"), "w") as f:
            f.write(
                f"CREATE TABLE t{i} (\n"
                "    tenant_id text NOT NULL,\n"
                "    id bigint NOT NULL,\n"
                "    name text NOT NULL,\n"
                "    email text,\n"
                "    score integer NOT NULL,\n"
                "    created_at bigint NOT NULL,\n"
                "    PRIMARY KEY (tenant_id, id)\n"
                ");\n"
                f"CREATE INDEX t{i}_name ON t{i} (name);\n"
            )
    for j in range(MIGRATIONS - STRUCTS):
        n = STRUCTS + j + 1
        t = j % STRUCTS
        with open(os.path.join(dir, f"{n:04}_alter_t{t}.sql"), "w") as f:
            f.write(
                f"ALTER TABLE t{t} ADD COLUMN extra_{j} text;\n"
                f"ALTER TABLE t{t} ALTER COLUMN score TYPE bigint;\n"
            )


def crate(root, name, derive, opt_macros, workspace=WORKSPACE):
    os.makedirs(os.path.join(root, "src"))
    deps = f'cache-contract = {{ path = "{workspace}/cache-contract", default-features = false, features = ["derive"] }}\n' if derive else ""
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write(
            f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
            f'[dependencies]\n{deps}serde = {{ version = "1", features = ["derive"] }}\n\n[workspace]\n'
        )
        if opt_macros:
            # What sqlx recommends for its macros: optimized proc macros (and their
            # dependencies) in debug builds. Applied to both crates.
            f.write("\n[profile.dev.build-override]\nopt-level = 3\n")
    shutil.copy(os.path.join(WORKSPACE, "Cargo.lock"), os.path.join(root, "Cargo.lock"))
    # The workspace's pinned toolchain, so that its built dependencies are reused.
    shutil.copy(os.path.join(WORKSPACE, "rust-toolchain.toml"), os.path.join(root, "rust-toolchain.toml"))
    if derive:
        migrations(os.path.join(root, "migrations"))
    per_file = STRUCTS // FILES
    with open(os.path.join(root, "src", "lib.rs"), "w") as f:
        for m in range(FILES):
            f.write(f"pub mod m{m};\n")
    for m in range(FILES):
        with open(os.path.join(root, "src", f"m{m}.rs"), "w") as f:
            if derive:
                f.write("use cache_contract::CacheContract;\n\n")
            for i in range(m * per_file, (m + 1) * per_file):
                derives = "CacheContract, " if derive else ""
                table = f'#[cache(table = "t{i}")]\n' if derive else ""
                f.write(
                    f"#[derive({derives}serde::Serialize, serde::Deserialize)]\n{table}"
                    f"pub struct T{i} {{\n"
                    "    pub tenant_id: String,\n"
                    "    pub id: i64,\n"
                    "    pub name: String,\n"
                    "    pub email: Option<String>,\n"
                    "    pub score: i64,\n"
                    "    pub created_at: i64,\n"
                    "}\n\n"
                )


def cargo(root, target, *args, extra_env=None):
    env = dict(os.environ, CARGO_TARGET_DIR=target, **(extra_env or {}))
    env.pop("CACHE_CONTRACT_MANIFEST_DIR", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(
        ["cargo", *args, "--offline"], cwd=root, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"cargo {' '.join(args)} failed in {root}:\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def forget_replays(target):
    """Removes the derive's stored replays, which `cargo clean -p` leaves: a clean build
    replays the migrations; the rebuild after it reads the replay it stored."""
    shutil.rmtree(os.path.join(target, "debug", "cache-contract"), ignore_errors=True)


def measure(crates, target, runs):
    """The fastest (wall, CPU) seconds of a clean build and of a rebuild of each (root, name) in
    `crates`, the crates measured in turn within every run so that a change in the
    machine's load hits all of them."""
    for root, _ in crates:
        cargo(root, target, "build")  # dependencies, once
    clean = [[] for _ in crates]
    incr = [[] for _ in crates]
    for _ in range(runs):
        for i, (root, name) in enumerate(crates):
            cargo(root, target, "clean", "-p", name)
            forget_replays(target)
            clean[i].append(cargo(root, target, "build"))
            os.utime(os.path.join(root, "src", "m0.rs"))
            incr[i].append(cargo(root, target, "build"))

    def fastest(samples):
        # The minimum: interference from the rest of the machine only ever adds time.
        return tuple(min(x) for x in zip(*samples))

    return [(fastest(c), fastest(r)) for c, r in zip(clean, incr)]


# A RUSTC_WRAPPER that runs rustc under valgrind's CG_TOOL (cachegrind or callgrind) for the
# bench crates only (when CG_OUT names the output file) and plainly for everything else.
WRAPPER = """#!/bin/sh
rustc="$1"; shift
case " $* " in
  *" --crate-name bench_"*) if [ -n "$CG_OUT" ]; then
      exec valgrind --tool="$CG_TOOL" --"$CG_TOOL"-out-file="$CG_OUT" $CG_ARGS "$rustc" "$@"
    fi ;;
esac
exec "$rustc" "$@"
"""

# The valgrind tool and its options: --split needs callgrind, which records the object of
# every function (to tell the proc-macro libraries' code from rustc's); --instructions only
# the total, which cachegrind counts faster.
SPLIT_TOOL = ("callgrind", "--dump-instr=no")
COUNT_TOOL = ("cachegrind", "--cache-sim=no")


def proc_macro_instructions(out_file, target):
    """Self cost of the functions in shared objects below `target` (the proc-macro
    libraries rustc loaded), from callgrind's output."""
    annotated = subprocess.run(
        ["callgrind_annotate", "--threshold=100", out_file],
        capture_output=True, text=True, check=True,
    ).stdout
    total = 0
    for line in annotated.splitlines():
        # `  1,234 ( 0.01%)  file:function [/path/to/object]`
        fields = line.split(maxsplit=1)
        if len(fields) < 2 or not line.endswith("]") or not fields[0].replace(",", "").isdigit():
            continue
        obj = line[line.rindex("[") + 1 : -1]
        if obj.startswith(target + os.sep) and obj.endswith(".so"):
            total += int(fields[0].replace(",", ""))
    return total


def count_instructions(crates, tmp, split=False):
    """Instructions rustc executes (proc macros included) for a clean build and a rebuild of
    each crate, counted by valgrind: the same for the same inputs whatever else the machine
    is doing, unlike times on a shared machine. Its own target directory, as the wrapper
    changes how dependencies are built. Each count a pair: (all, of which in the proc
    macros' own code), the second counted (by callgrind) only with `split`, else None."""
    needed = ["valgrind"] + (["callgrind_annotate"] if split else [])
    for program in needed:
        if shutil.which(program) is None:
            sys.exit(f"--instructions and --split need {program} (apt-get install -y valgrind)")
    wrapper = os.path.join(tmp, "rustc-valgrind.sh")
    with open(wrapper, "w") as f:
        f.write(WRAPPER)
    os.chmod(wrapper, 0o755)
    tool, tool_args = SPLIT_TOOL if split else COUNT_TOOL
    target = os.path.join(WORKSPACE, "target", "bench-derive-instructions")
    out = []
    for root, name in crates:
        env = {"RUSTC_WRAPPER": wrapper}
        cargo(root, target, "build", extra_env=env)  # dependencies, uncounted
        counts = []
        for kind in ("clean", "rebuild"):
            if kind == "clean":
                cargo(root, target, "clean", "-p", name, extra_env=env)
                forget_replays(target)
            else:
                os.utime(os.path.join(root, "src", "m0.rs"))
            cg = os.path.join(tmp, f"{name}.{kind}.cg")
            cargo(root, target, "build", extra_env=dict(env, CG_OUT=cg, CG_TOOL=tool, CG_ARGS=tool_args))
            with open(cg) as f:
                summary = next(line for line in f if line.startswith("summary:"))
            in_macros = proc_macro_instructions(cg, target) if split else None
            counts.append((int(summary.split()[1]), in_macros))
        out.append(counts)
    return out


def main():
    argv = sys.argv[1:]
    opt_macros = "--opt-macros" in argv
    against = None
    if "--against" in argv:
        i = argv.index("--against")
        against = os.path.abspath(argv[i + 1])
        del argv[i : i + 2]
    instructions = "--instructions" in argv
    split = "--split" in argv
    args = [a for a in argv if a not in ("--opt-macros", "--instructions", "--split")]
    runs = int(args[0]) if args else 3
    tmp = tempfile.mkdtemp(prefix="bench-derive-")
    try:
        # The workspace target directory: dependencies already built there are reused.
        target = os.path.join(WORKSPACE, "target")
        crates = [(os.path.join(tmp, "base"), "bench_base"), (os.path.join(tmp, "derived"), "bench_derived")]
        crate(crates[0][0], "bench_base", derive=False, opt_macros=opt_macros)
        crate(crates[1][0], "bench_derived", derive=True, opt_macros=opt_macros)
        if against:
            crates.append((os.path.join(tmp, "against"), "bench_against"))
            crate(crates[2][0], "bench_against", derive=True, opt_macros=opt_macros, workspace=against)
        macros = ", proc macros at opt-level 3" if opt_macros else ""
        names = ["+ CacheContract"] + ([f"+ derive of {against}"] if against else [])
        if instructions or split:
            counts = count_instructions(crates, tmp, split)
            tool = (SPLIT_TOOL if split else COUNT_TOOL)[0]
            print(f"{STRUCTS} structs, {MIGRATIONS} migrations: instructions of rustc ({tool}, debug build{macros})")
            if split:
                print("split into those in the proc macros' own code and the rest (rustc)")
            for label, k in [("clean build of crate", 0), ("rebuild, 1 file touched", 1)]:
                b, b_macros = counts[0][k]
                macros_part = f" (proc macros {b_macros / 1e6:.0f} M)" if split else ""
                print(f"{label}: serde only {b / 1e9:.3f} G{macros_part}")
                for name, c in zip(names, counts[1:]):
                    total, in_macros = c[k]
                    line = f"    {name:<40}{total / 1e9:>7.3f} G  overhead {(total - b) / b * 100:>5.1f}%"
                    if split:
                        d_macros = in_macros - b_macros
                        d_rustc = (total - b) - d_macros
                        line += (
                            f": proc-macro code +{d_macros / 1e6:.0f} M, "
                            f"rustc +{d_rustc / 1e6:.0f} M ({d_rustc / b * 100:.1f}% of serde only)"
                        )
                    print(line)
            return
        results = measure(crates, target, runs)
        print(f"{STRUCTS} structs, {MIGRATIONS} migrations, fastest of {runs} interleaved runs (debug build{macros})")
        print("wall = elapsed time of `cargo build`; CPU = user + system time of cargo and rustc")
        base = results[0]
        for label, k in [("clean build of crate", 0), ("rebuild, 1 file touched", 1)]:
            for what, j in [("wall", 0), ("CPU", 1)]:
                b = base[k][j]
                print(f"{label} ({what}): serde only {b:.2f}s")
                for name, r in zip(names, results[1:]):
                    d = r[k][j]
                    print(
                        f"    {name:<40}{d:>7.2f}s  overhead {(d - b) / b * 100:>5.1f}%  {(d - b) / STRUCTS * 1000:>5.2f} ms per derive"
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
