"""`make bench`: every benchmark, then one table of their figures.

    .venv/bin/python bench/all.py [--quick] [--postgres ADMIN_URL] [--details]

The fan-out also runs on PostgreSQL when the local server (or TEST_POSTGRES_URL) answers.

Each script also runs alone and prints its own detail (see its docstring); here their
detail goes to bench/last-run.txt unless --details, and the table goes to stdout. The
figures are ratios against references measured in the same run wherever there is one, so
they travel between machines better than the absolute numbers. --quick runs smaller sizes
(for checking the scripts, not for the README).
"""

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cost_growth  # noqa: E402
import e2e_latency  # noqa: E402
import extract_accuracy  # noqa: E402
import extract_speed  # noqa: E402
import pipeline_throughput  # noqa: E402
import webhook_fanout  # noqa: E402
from figures import Row, print_table  # noqa: E402

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DETAILS = Path(__file__).resolve().parent / "last-run.txt"


def answers(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def plan(quick: bool, postgres: str | None) -> list[tuple[str, object, list[str]]]:
    # extract_speed first: it reads its sandbox child's peak RSS from RUSAGE_CHILDREN,
    # which would otherwise include the services the other scripts started and reaped.
    steps = [
        ("extract speed", extract_speed.main, ["--rounds", "3" if quick else "9"]),
        ("extract accuracy", extract_accuracy.main, []),
        ("pipeline throughput", pipeline_throughput.main, ["--documents", "50" if quick else "200"]),
        ("latency", e2e_latency.main, ["--documents", "10", "--publications", "5"] if quick else []),
        ("webhook fan-out", webhook_fanout.main, ["--subscriptions", "200" if quick else "1000"]),
    ]
    if postgres:
        steps.append(("webhook fan-out (PostgreSQL)", webhook_fanout.main,
                      ["--subscriptions", "200" if quick else "1000", "--postgres", postgres]))
    steps.append(("cost growth", cost_growth.main, ["--sizes", "50,200" if quick else "100,1000,10000"]))
    return steps


def peak_memory(rows: list[Row]) -> list[Row]:
    """The scripts' memory rows (one per process per run) as one row per service: the
    highest peak RSS over every run that started it."""
    peaks: dict[str, list[float]] = {}
    for r in rows:
        if r.bench == "memory":
            # A second worker ("extract-1") is an extract worker like the first.
            name = "extract" if r.measure.startswith("extract-") else r.measure
            peaks.setdefault(name, []).append(float(r.value.split()[0]))
    return [Row("memory", f"{name} peak RSS, highest of {len(mb)} process run(s)", f"{max(mb):.0f} MB")
            for name, mb in peaks.items()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL", LOCAL_POSTGRES), metavar="ADMIN_URL",
                        help="also run the fan-out on a scratch database made through this PostgreSQL server "
                             "(skipped when it does not answer)")
    parser.add_argument("--details", action="store_true", help="print each script's own output too")
    args = parser.parse_args()

    rows: list[Row] = []
    postgres = args.postgres if answers(args.postgres) else None
    if not postgres:
        rows.append(Row("webhook fan-out", "on PostgreSQL", f"skipped: {args.postgres} does not answer"))
    with open(DETAILS, "w") as details:
        for name, run, argv in plan(args.quick, postgres):
            started = time.monotonic()
            print(f"running {name} ...", file=sys.stderr, flush=True)
            print(f"## {name} {' '.join(argv)}", file=details, flush=True)
            sink = sys.stdout if args.details else details
            with contextlib.redirect_stdout(sink):
                rows += run(argv)
            print(f"   {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print_table([r for r in rows if r.bench != "memory"] + peak_memory(rows))
    shown = DETAILS.relative_to(Path.cwd()) if DETAILS.is_relative_to(Path.cwd()) else DETAILS
    print(f"(each script's detail: {shown})")


if __name__ == "__main__":
    main()
