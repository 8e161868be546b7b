"""Collect the scale-out benchmarks' results into bench/results-<date>.md and .json, and the
table in bench/README.md.

    .venv/bin/python -m bench.scaleout_report

Each bench/scaleout_*.py appends its result to .journeys/bench/scaleout-results.jsonl; the last
result of each benchmark is reported, with the machine it ran on and the load average when it
started (this is a shared two-core machine: absolute figures swing with what else runs).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from bench.scaleout_common import ROOT, machine

RESULTS = ROOT / ".journeys" / "bench" / "scaleout-results.jsonl"
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- scaleout-table:begin -->", "<!-- scaleout-table:end -->"


def _latest() -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for line in RESULTS.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            latest[row["bench"]] = row
    return latest


def _rows(r: dict[str, dict]) -> list[tuple[str, str, str, str, str]]:
    """(benchmark, figure, baseline in the same run, ratio, target and verdict)."""
    rows = []
    ok = lambda x: "met" if x.get("met") else "**missed**"  # noqa: E731
    if "1_sqlite" in r:
        x = r["1_sqlite"]
        rows.append(("1. steps/s, one process, SQLite (synchronous=FULL, the default)",
                     f"{x['steps_per_s']:,.0f} steps/s ({x['wakeups_per_s']:,.0f} wake-ups/s)",
                     f"raw durable 1-row commits {x['raw_commits_per_s']:,.0f}/s",
                     f"{x['ratio']:.3f}x",
                     f">= 1,000 steps/s and >= 0.25x: {ok(x)}"))
        if "normal" in x:
            rows.append(("1b. the same with synchronous=NORMAL (commits not fsynced)",
                         f"{x['normal']['steps_per_s']:,.0f} steps/s",
                         f"raw 1-row commits {x['raw_normal']:,.0f}/s",
                         f"{x['ratio_normal']:.3f}x", "(for comparison)"))
    if "2_pg_workers" in r:
        x = r["2_pg_workers"]
        rows.append((f"2. steps/s, {x['workers']} workers, PostgreSQL (steps only)",
                     f"{x['steps_per_s']:,.0f} steps/s ({x['wakeups_per_s']:,.0f} wake-ups/s)",
                     f"raw SKIP LOCKED claim-and-complete, {x['workers']} processes: "
                     f"{x['raw_claims_per_s']:,.0f}/s",
                     f"{x['ratio_steps']:.2f}x (transactions {x['ratio_wakeups']:.2f}x)",
                     f">= 1,500 steps/s and >= 0.5x: {ok(x)}"))
    if "3_apscheduler" in r:
        x = r["3_apscheduler"]
        rows.append(("3. vs naive APScheduler (job per step, SQLAlchemyJobStore), 1 process, "
                     "PostgreSQL",
                     f"engine {x['engine']['steps_per_s']:,.0f} steps/s",
                     f"APScheduler {x['naive']['steps_per_s']:,.0f} steps/s; with its default "
                     f"1 s grace {x['naive_default_grace']['missed']} of "
                     f"{x['naive_default_grace']['jobs']} due jobs dropped",
                     f"{x['ratio']:.1f}x", f">= 3x: {ok(x)}"))
    if "4_latency" in r:
        x = r["4_latency"]
        rows.append((f"4. due -> step start at {x['rate']:.0f} wake-ups/s "
                     f"({2 * x['rate']:.0f} steps/s), {x['workers']} workers",
                     f"p50 {x['p50_s'] * 1000:,.0f} ms, p99 {x['p99_s'] * 1000:,.0f} ms",
                     "-", "-", f"p50 <= 250 ms, p99 <= 2 s: {ok(x)}"))
    if "5_burst" in r:
        x = r["5_burst"]
        rows.append((f"5. burst: {x['runs']:,} due at one instant, {x['workers']} workers "
                     "(steps only)",
                     f"p99 lateness {x['p99_s']:.1f} s (all done in {x['max_s']:.1f} s)",
                     "-", "-", f"p99 <= 5 s: {ok(x)}"))
    if "5_burst_dispatch" in r:
        x = r["5_burst_dispatch"]
        rows.append(("5b. the same burst, workers also sending the outbox",
                     f"p99 lateness {x['p99_s']:.1f} s (all done in {x['max_s']:.1f} s)",
                     "-", "-", f"p99 <= 5 s: {ok(x)}"))
    if "6_million" in r:
        x = r["6_million"]
        q = x["queries"]
        worst = max(q.values(), key=lambda v: v["p99_ms"])
        claim = q["claim 50 (UPDATE ... SKIP LOCKED ... RETURNING)"]
        rows.append((f"6. {x['pending']:,} pending wake-ups",
                     f"load {x['load_s']:.0f} s (bulk) + worker start {x['worker_start_s']:.1f} s;"
                     f" claim p99 {claim['p99_ms']:.1f} ms (worst due query p99 "
                     f"{worst['p99_ms']:.1f} ms); worker RSS {x['worker_rss_mb']:.0f} MB",
                     "-", "-", f"due-query p99 <= 10 ms, memory < 300 MB: {ok(x)}"))
    if "7_sixty" in r:
        x = r["7_sixty"]
        rows.append((f"7. {x['clients']:,} clients at once, 60-node journey with branches, "
                     "4 workers",
                     f"a year in {x['wall_s']:.0f} s: {x['steps']:,} steps "
                     f"({x['steps_per_s']:,.0f}/s), {x['nodes_seen']} nodes visited, runs "
                     f"{x['runs']}", "-", "-",
                     f"exactly once ({x['duplicates']} doubled steps, "
                     f"{x['effect_duplicates']} doubled effects"
                     + (f"; runs still open at the end: {len(x['open_runs'])}, of them "
                        f"{x['lost']} overdue or without a wake-up"
                        if "open_runs" in x else "") + f"): {ok(x)}"))
    return rows


def _notes(r: dict[str, dict]) -> list[str]:
    """What limits each figure that misses its target, and what would reach it."""
    notes = []
    x = r.get("1_sqlite")
    if x and not x.get("met"):
        notes.append(
            f"- **1, SQLite {x['steps_per_s']:,.0f} steps/s, {x['ratio']:.3f}x (targets 1,000 "
            "and 0.25x).** A step is a walk of the journey (templates, calendar, send window) "
            "plus its share of the group's statements; the figure is CPU-bound.")
    x = r.get("3_apscheduler")
    if x and x["ratio"] < 3:
        notes.append(
            f"- **3, {x['ratio']:.1f}x the naive design in one process (target 3x).** With "
            "PostgreSQL's commits cheap on this disk, the naive design's extra work per step is "
            "three small commits (delete the job, run it, insert the next), while its job does "
            "less than a step (no journey walk, no run state). Both are CPU-bound in one Python "
            "process. The engine's advantage is elsewhere: it scales out (4 workers: "
            f"{x['ratio_4_workers']:.1f}x; a second APScheduler on the same job store runs jobs "
            "twice), it drops nothing (APScheduler's default 1 s grace dropped "
            f"{x['naive_default_grace']['missed']} of {x['naive_default_grace']['jobs']} due "
            "jobs), and where commits wait for the disk (the same day, with other tests writing, "
            "this PostgreSQL managed 173 single-row commits a second) group commit wins by the "
            "number of commits saved. What would reach 3x here: the per-step Python cost halved "
            "(see 1).")
    for key in ("5_burst", "5_burst_dispatch"):
        x = r.get(key)
        if x and not x.get("met"):
            rate = x["runs"] / x["max_s"]
            notes.append(
                f"- **5{'b' if key.endswith('dispatch') else ''}, burst p99 {x['p99_s']:.1f} s "
                f"(target 5 s).** Lateness is the drain rate: {rate:,.0f} wake-ups/s, with both "
                "cores busy: the workers spend about 1.5 ms of Python per wake-up and "
                "PostgreSQL's backends take the rest of the machine. 10,000 in 5 s needs about "
                "2,000 wake-ups/s: more cores (claims scale across worker processes: 1 worker "
                "drains about 470 wake-ups/s, 4 about 850-950 on these 2 cores), or half the "
                "Python per step (see 1)."
                + (" Sending the outbox costs more CPU per email than the step that wrote it "
                   "(about 2 ms per captured email in the dispatcher), so workers that also send "
                   "drain the burst at half speed; deployments can run sending on separate "
                   "processes (JOURNEYS_DISPATCH_OUTBOX=false on the step workers)."
                   if key.endswith("dispatch") else ""))
    x = r.get("2_pg_workers")
    if x and not x.get("met"):
        notes.append(
            f"- **2, {x['steps_per_s']:,.0f} steps/s, {x['ratio_steps']:.2f}x.** CPU-bound on "
            "two cores shared with PostgreSQL (and, on this machine, with other work: see the "
            "load average); the raw loop does three statements per claim against about five "
            "per wake-up here.")
    return notes


def _table(rows) -> str:
    out = ["| Benchmark | Figure | Baseline (same run) | Ratio | Target |",
           "|---|---|---|---|---|"]
    out += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(out)


def main() -> int:
    latest = _latest()
    info = machine()
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    table = _table(_rows(latest))
    loads = {k: v.get("machine", {}).get("load_avg_at_start") for k, v in latest.items()}
    header = (f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
              f"PostgreSQL {info['postgresql']} (synchronous_commit={info['synchronous_commit']})"
              f"; Python {info['python']}. Date: {info['date']}.")
    md = [f"# Scale-out benchmarks, {day}", "", header, "",
          "Load average (1 min) when each benchmark started, on this shared machine: "
          + ", ".join(f"{k} {v:.1f}" for k, v in sorted(loads.items()) if v is not None), "",
          table, "", "## What limits the figures that miss their targets", "",
          *(_notes(latest) or ["Every target was met."]), "",
          "Produced by `python -m bench.scaleout_report` from the runs of "
          "bench/scaleout_*.py; the raw figures are in the .json next to this file.", ""]
    (ROOT / "bench" / f"results-{day}.md").write_text("\n".join(md))
    (ROOT / "bench" / f"results-{day}.json").write_text(
        json.dumps({"machine": info, "results": latest}, indent=2, default=str) + "\n")
    if README.exists():
        text = README.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            README.write_text(f"{head}{BEGIN}\n{header}\n\n{table}\n{END}{tail}")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
