"""Time whole `igf` processes on synthetic evidence bases against baselines measured in the same run.

Writes bench/results.md. Baselines: (a) a minimal program with the same CLI
framework printing the same output; (b) a bare parse of the same files with
PyYAML's C loader; (c) `yq` summing one field over the same files, as a user
without igf would. Figures are medians of several runs after a warm-up;
memory is each process's peak resident size.

    python bench/run.py              # 30, 1,000 and 10,000 records
    python bench/run.py --huge       # and 100,000
    python bench/run.py --sizes 30 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
# the installed script, as people run it (python -m igfcli where there is none)
_SCRIPT = Path(sys.executable).parent / "igf"
IGF = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "igfcli"]
# generated files are dated well in the past: the parse cache skips files modified in its last seconds
FILE_TIME_NS = 1_577_836_800 * 1_000_000_000  # 2020-01-01

AGENTS = [
    ("alphamab", "AM-1", "anti-IGF-1R antibody", "Acme", "halted"),
    ("betinib", "BT-2", "IGF-1R kinase inhibitor", "Subco", "awaiting-results"),
    ("gammalimus", "GL-3", "mTOR inhibitor", "Acme", "unknown"),
    ("deltumab", "DM-4", "anti-IGF-1R antibody", "Delta Pharma", "halted"),
    ("epsilonib", "EP-5", "IGF-1R kinase inhibitor", "Epsilon", "active"),
    ("zetamab", "ZM-6", "anti-IGF ligand antibody", "Zeta", "unknown"),
]
HISTOLOGIES = ["Ewing sarcoma", "osteosarcoma", "rhabdomyosarcoma", "synovial sarcoma", "leiomyosarcoma"]


def generate(folder: Path, n: int) -> None:
    """A deterministic evidence base of n valid trial records."""
    if (folder / ".complete").exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalog = ["agents:"]
    for name, code, cls, sponsor, status in AGENTS:
        catalog += [
            f"  - name: {name}",
            f"    codes: [{code}]",
            f"    class: {cls}",
            f"    sponsor: {sponsor}",
            f"    status: {status}",
        ]
    (folder / "agents.yaml").write_text("\n".join(catalog) + "\n")
    rng = random.Random(n)
    for i in range(n):
        regimen = rng.sample([a[0] for a in AGENTS], rng.choice([1, 1, 2]))
        enrolled = rng.randint(12, 200)
        evaluable = enrolled - rng.randint(0, min(5, enrolled - 10))
        responders = rng.randint(0, evaluable // 4)
        rate = f"{100 * responders / evaluable:.1f}%"
        lines = [
            f"id: t{i:06d}",
            f"title: Synthetic trial {i} of {' and '.join(regimen)}",
            f"regimen: [{', '.join(regimen)}]",
            f'phase: "{rng.choice(["1", "1/2", "2", "2/3", "3"])}"',
            "condition: sarcoma",
            f"histologies: [{rng.choice(HISTOLOGIES)}]",
            f"enrolled: {enrolled}",
            "response:",
            "  criteria: RECIST 1.1",
            f"  evaluable: {evaluable}",
            f"  responders: {responders}",
            f"  reported_rate: {rate}",
            "pfs:",
            f"  - weeks: {rng.choice([12, 12, 13, 16])}",
            f"    rate: {rng.randint(5, 60)}%",
            "sources:",
            f'  - citation: "Author {i} A, et al. Synthetic J. 2012;{i % 50 + 1}:{i + 1}-{i + 9}"',
            f'    pmid: "{10_000_000 + i}"',
        ]
        sub = folder / f"part{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"t{i:06d}.yaml"
        path.write_text("\n".join(lines) + "\n")
        os.utime(path, ns=(FILE_TIME_NS, FILE_TIME_NS))
    os.utime(folder / "agents.yaml", ns=(FILE_TIME_NS, FILE_TIME_NS))
    (folder / ".complete").write_text("")


@dataclass
class Figure:
    seconds: float
    peak_mib: float


@dataclass
class Job:
    """One thing to time: a command, and what to do before each run of it."""

    label: str
    command: list[str]
    before: Callable[[], None] | None = None


# Each command is started from this small launcher, which times it and reads its peak memory.
# Started straight from the benchmark, a process's peak resident size would count the
# benchmark's own memory at the fork (Linux folds it into the child's high-water mark), so
# small commands would show the benchmark's size instead of their own.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the command's output is not measured
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
print(elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_once(job: Job, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak memory of one whole process. A failed run stops the benchmark."""
    if job.before:
        job.before()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *job.command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        check=False,
    )
    elapsed, peak_kib, code = done.stdout.decode().split()
    if int(code) != 0 or done.returncode != 0:
        raise SystemExit(f"{' '.join(job.command)[:200]} exited {code}: {done.stderr.decode()[-500:]}")
    return float(elapsed), int(peak_kib) / 1024


def measure_rounds(jobs: list[Job], runs: int, env: dict[str, str]) -> dict[str, Figure]:
    """Median wall time and largest peak memory of each job over `runs` rounds, after a warm-up round.

    Each round runs every job once, so igf and the baselines it is compared with share the
    machine's state of the moment (its load, its caches, a slow spell), round after round:
    the ratios are steadier than those of timings taken one job after another.
    """
    times: dict[str, list[float]] = {job.label: [] for job in jobs}
    peaks: dict[str, list[float]] = {job.label: [] for job in jobs}
    for attempt in range(runs + 1):
        for job in jobs:
            elapsed, peak = run_once(job, env)
            if attempt:  # the first round warms the disk cache and the interpreters' bytecode
                times[job.label].append(elapsed)
                peaks[job.label].append(peak)
    return {label: Figure(statistics.median(times[label]), max(peaks[label])) for label in times}


def files_of(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.yaml") if p.name != "agents.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 1000, 10_000])
    parser.add_argument("--huge", action="store_true", help="add 100,000 records")
    parser.add_argument("--runs", type=int, default=5, help="runs for folders of more than 1,000 records")
    parser.add_argument(
        "--small-runs",
        type=int,
        default=15,
        help="runs up to 1,000 records, where a run takes a tenth of a second and noise is larger",
    )
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    if args.runs < 1 or args.small_runs < 1:
        parser.error("--runs and --small-runs must be at least 1")
    sizes: list[int | None] = [None, *args.sizes, *([100_000] if args.huge else [])]  # None: the bundled base

    OUT.mkdir(parents=True, exist_ok=True)  # a fresh clone has none yet
    cache_home = OUT / "cache-home"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "COLUMNS": "120"}
    for name in ("IGF_NO_CACHE", "IGF_DATA", "NO_COLOR", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    # bytecode is written and reused, as in any installed Python program, but kept out of the tree
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")

    def clear_cache() -> None:
        shutil.rmtree(cache_home, ignore_errors=True)

    yq = shutil.which("yq")
    jq = shutil.which("jq")
    rows: list[str] = []
    print(
        f"{'records':>8} {'what':<26} {'cache':<5} {'median s':>9} {'peak MiB':>9} "
        f"{'vs (a)':>7} {'vs (b)':>7} {'vs (c)':>7}",
        flush=True,
    )
    for n in sizes:
        if n is None:
            from igfcli.records.folder import bundled_data, trial_files

            folder = bundled_data()
            data: list[str] = []  # the default data, as a new user runs it
            label = f"{len(trial_files(folder))} (bundled)"
        else:
            folder = OUT / f"records-{n}"
            generate(folder, n)
            data = ["--data", str(folder)]
            label = f"{n:,}"
        runs = args.small_runs if n is None or n <= 1000 else args.runs
        files = files_of(folder)
        list_file = OUT / f"files-{label.split()[0]}.txt"
        list_file.write_text("\n".join(files) + "\n")
        parse = [
            sys.executable,
            "-c",
            "import sys, yaml\n"
            "for name in open(sys.argv[1]).read().split():\n"
            "    with open(name, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)",
            str(list_file),
        ]
        jobs = [Job("(b) C-loader parse of the files", parse)]
        if yq and jq:
            # as many yq runs as the argument list needs (100,000 paths do not fit in one), summed by jq
            pipeline = (
                f"tr '\\n' '\\0' < {shlex.quote(str(list_file))} | "
                f"xargs -0 {shlex.quote(yq)} -s 'map(.enrolled) | add' | {shlex.quote(jq)} -s add"
            )
            jobs.append(Job("(c) yq summing one field", ["sh", "-c", pipeline]))
        saved_csv = OUT / f"rank-{label.split()[0]}.csv"
        saved_csv.write_bytes(
            subprocess.run(
                [*IGF, "rank", "--format", "csv", *data], env=env, capture_output=True, check=True
            ).stdout
        )
        baseline_cli = [sys.executable, str(HERE / "baseline_cli.py"), str(saved_csv)]
        jobs += [
            Job("(a) same CLI framework printing the CSV", baseline_cli),
            Job("(a) same, printing a rich table", [*baseline_cli, "--table"]),
        ]
        commands = {
            "rank --format csv": ["rank", "--format", "csv"],
            "rank (table)": ["rank"],
            "rank --pool glmm --format csv": ["rank", "--pool", "glmm", "--format", "csv"],
            "validate": ["validate"],
            "report": ["report"],
        }
        for name, cmd in commands.items():
            # cold: an empty cache, which the run fills; so the warm run right after finds it full
            jobs.append(Job(f"igf {name} cold", [*IGF, *cmd, *data], clear_cache))
            jobs.append(Job(f"igf {name} warm", [*IGF, *cmd, *data]))
        figures = measure_rounds(jobs, runs, env)

        base_a = figures["(a) same CLI framework printing the CSV"]
        base_a_table = figures["(a) same, printing a rich table"]
        base_b = figures["(b) C-loader parse of the files"]
        base_c = figures.get("(c) yq summing one field")
        for what in [j.label for j in jobs if j.label.startswith("(")]:
            fig = figures[what]
            # the pipeline's memory is its shell's: not a figure worth printing
            peak = "" if what.startswith("(c)") else f"{fig.peak_mib:.0f}"
            rows.append(f"| {label} | {what} | | {fig.seconds:.3f} | {peak} | | | |")
            print(f"{label:>8} {what[:26]:<26} {'':<5} {fig.seconds:>9.3f} {peak:>9}", flush=True)
        for name in commands:
            for state in ("cold", "warm"):
                fig = figures[f"igf {name} {state}"]
                against_a = base_a_table if name == "rank (table)" else base_a
                ratio_c = f"{fig.seconds / base_c.seconds:.2f}" if base_c else "n/a"
                ratio_a, ratio_b = fig.seconds / against_a.seconds, fig.seconds / base_b.seconds
                rows.append(
                    f"| {label} | igf {name} | {state} | {fig.seconds:.3f} | {fig.peak_mib:.0f} | "
                    f"{ratio_a:.2f} | {ratio_b:.2f} | {ratio_c} |"
                )
                print(
                    f"{label:>8} {name:<26} {state:<5} {fig.seconds:>9.3f} {fig.peak_mib:>9.0f} "
                    f"{ratio_a:>7.2f} {ratio_b:>7.2f} {ratio_c:>7}",
                    flush=True,
                )

    import platform

    import typer
    import yaml

    shown_sizes = " ".join(str(n) for n in args.sizes)
    command = (
        f"python bench/run.py --sizes {shown_sizes} --runs {args.runs} --small-runs {args.small_runs}"
        + (" --huge" if args.huge else "")
    )
    commit = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    header = [
        "# Benchmark results",
        "",
        f"igf {igf_version()} at commit {commit or 'unknown'}.",
        "",
        f"`{command}` (`make bench` runs the defaults), medians of {args.small_runs} rounds up to "
        f"1,000 records and {args.runs} above, after a warm-up round; each round runs every command "
        "and baseline once, so each ratio compares runs made side by side; whole processes, wall time; "
        "peak resident memory.",
        f"Python {platform.python_version()}, typer {typer.__version__}, PyYAML {yaml.__version__} "
        f"(C loader: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}), {os.cpu_count()} cores; "
        f"yq: {'`' + yq + '` (with jq)' if yq and jq else 'not installed, baseline (c) skipped'}.",
        "igf is the installed `igf` script; every process may write and reuse bytecode (under bench/out), "
        "as an installed program does.",
        "Cold: the parse cache emptied before each run; warm: the cache filled by an earlier run.",
        "Ratios are igf's median over the baseline's, measured in the same run: (a) for the table row is "
        "the framework printing a rich table.",
        "(a) reads igf's own CSV output from a file and prints it; (b) `yaml.load(f, Loader=CSafeLoader)` "
        "on every record file; (c) `xargs yq -s 'map(.enrolled) | add'` over the record files, summed by jq.",
        "",
        "| records | what | cache | median s | peak MiB | vs (a) | vs (b) | vs (c) |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    args.output.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


def igf_version() -> str:
    from igfcli import __version__

    return __version__


if __name__ == "__main__":
    main()
