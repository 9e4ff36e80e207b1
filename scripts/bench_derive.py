"""Generates two crates (200 structs, 300 migrations) that differ only in
#[derive(CacheContract)], and times `cargo build` of each: a clean build of the crate
(dependencies prebuilt) and an incremental rebuild after touching one source file."""

import os
import shutil
import statistics
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


def crate(root, name, derive, opt_macros):
    os.makedirs(os.path.join(root, "src"))
    deps = f'cache-contract = {{ path = "{WORKSPACE}/cache-contract", default-features = false, features = ["derive"] }}\n' if derive else ""
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


def cargo(root, target, *args):
    env = dict(os.environ, CARGO_TARGET_DIR=target)
    env.pop("CACHE_CONTRACT_MANIFEST_DIR", None)
    start = time.perf_counter()
    out = subprocess.run(
        ["cargo", *args, "--offline"], cwd=root, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"cargo {' '.join(args)} failed in {root}:\n{out.stderr}")
    return elapsed


def measure(crates, target, runs):
    """Median clean and rebuild times of each (root, name) in `crates`, the crates measured
    in turn within every run so that a change in the machine's load hits all of them."""
    for root, _ in crates:
        cargo(root, target, "build")  # dependencies, once
    clean = [[] for _ in crates]
    incr = [[] for _ in crates]
    for _ in range(runs):
        for i, (root, name) in enumerate(crates):
            cargo(root, target, "clean", "-p", name)
            clean[i].append(cargo(root, target, "build"))
            os.utime(os.path.join(root, "src", "m0.rs"))
            incr[i].append(cargo(root, target, "build"))
    return [(statistics.median(c), statistics.median(r)) for c, r in zip(clean, incr)]


def main():
    args = [a for a in sys.argv[1:] if a != "--opt-macros"]
    opt_macros = "--opt-macros" in sys.argv[1:]
    runs = int(args[0]) if args else 3
    tmp = tempfile.mkdtemp(prefix="bench-derive-")
    try:
        # The workspace target directory: dependencies already built there are reused.
        target = os.path.join(WORKSPACE, "target")
        base, derived = os.path.join(tmp, "base"), os.path.join(tmp, "derived")
        crate(base, "bench_base", derive=False, opt_macros=opt_macros)
        crate(derived, "bench_derived", derive=True, opt_macros=opt_macros)
        (b_clean, b_incr), (d_clean, d_incr) = measure(
            [(base, "bench_base"), (derived, "bench_derived")], target, runs
        )
        macros = ", proc macros at opt-level 3" if opt_macros else ""
        print(f"{STRUCTS} structs, {MIGRATIONS} migrations, median of {runs} interleaved runs (debug build{macros})")
        print(f"{'':24}{'serde only':>12}{'+ CacheContract':>17}{'overhead':>10}{'per derive':>12}")
        for label, b, d in [("clean build of crate", b_clean, d_clean), ("rebuild, 1 file touched", b_incr, d_incr)]:
            print(
                f"{label:24}{b:>11.2f}s{d:>16.2f}s{(d - b) / b * 100:>9.1f}%{(d - b) / STRUCTS * 1000:>10.2f}ms"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
