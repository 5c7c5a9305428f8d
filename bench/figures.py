"""What the bench scripts measure with: peak memory of a process and percentiles."""

from dataclasses import dataclass
from pathlib import Path


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever held."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Row:
    """One line of `make bench`'s table: a figure and, where there is one, the reference
    it is judged against, measured in the same run."""

    bench: str
    measure: str
    value: str
    reference: str = ""
    ratio: float | None = None


def print_table(rows: list[Row]) -> None:
    """A Markdown table: readable in a terminal, and it goes into the README as it is."""
    print("| bench | measure | value | reference (same run) | ratio |")
    print("|---|---|---:|---|---:|")
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        print(f"| {r.bench} | {r.measure} | {r.value} | {r.reference} | {ratio} |")
