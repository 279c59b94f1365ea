#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements (raw.tsv, ttfb.tsv, commit.tsv, audit.tsv) into results.md and gnuplot data."""
import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1])
clk_tck = float(sys.argv[2])

DESCRIPTION = {
    "stub": "(a) nginx stub, direct",
    "yarp": "(b) bare YARP",
    "gateway": "(c) gateway, SQLite audit",
    "gateway-pg": "(d) gateway, PostgreSQL audit",
    "portkey": "(f) Portkey OSS gateway",
    "stub-stream": "(a) stub, streamed",
    "yarp-stream": "(e) bare YARP, streamed",
    "gateway-stream": "(e) gateway, streamed, SQLite audit",
}
BASELINE = {name: ("yarp-stream" if name.endswith("stream") else "yarp") for name in DESCRIPTION}


def read(name):
    path = out / name
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f, delimiter="\t"))


def derive(r):
    n = max(int(r["requests"] or 0), 1)
    r["rps"] = float(r["rps"] or 0)
    r["p50"] = float(r["p50_us"] or 0)
    r["p99"] = float(r["p99_us"] or 0)
    r["cpu_us"] = int(r["cpu_ticks"]) * 1e6 / clk_tck / n
    r["db_cpu_us"] = int(r["db_cpu_ticks"]) * 1e6 / clk_tck / n
    r["rss_mb"] = int(r["rss_kb"] or 0) / 1024
    r["hwm_mb"] = int(r["hwm_kb"] or 0) / 1024
    a = int(r["allocated_bytes"])
    r["alloc_kb"] = a / 1024 / n if a >= 0 else None
    r["bad"] = int(r["non2xx"] or 0) + int(r["socket_errors"] or 0)
    return r


rows = [derive(r) for r in read("raw.tsv")]
# --cores: yarp@N and gateway@N, started under taskset on N CPUs, at one concurrency.
pinned = [derive(r) for r in read("cores.tsv")]
for r in pinned:
    r["base"], r["cores"] = r["target"].split("@")
    r["cores"] = int(r["cores"])

targets = list(dict.fromkeys(r["target"] for r in rows))
levels = sorted({int(r["concurrency"]) for r in rows})
by = defaultdict(list)
for r in rows:
    by[(int(r["concurrency"]), r["target"])].append(r)
same = {(int(r["round"]), int(r["concurrency"]), r["target"]): r for r in rows}


def mean(key, c, t):
    values = [r[key] for r in by[(c, t)] if r[key] is not None]
    return statistics.mean(values) if values else None


def fmt(v, digits=0):
    return "—" if v is None else f"{v:,.{digits}f}"


def ratio(v, b):
    return "—" if v is None or not b else f"{v / b:.2f}×"


lines = ["# End-to-end benchmark", ""]
machine = (out / "machine.txt").read_text().strip().splitlines() if (out / "machine.txt").exists() else []
lines += [f"- {m}" for m in machine]
lines += [
    "",
    "Every target answers the same POST /v1/chat/completions (593-byte body; 607 streamed) from the same nginx stub. "
    "CPU is the target's process tree (utime+stime from /proc), per request; for (d) the PostgreSQL server's CPU is "
    "shown apart; \"cores busy\" is CPU per request times RPS. RSS is VmRSS after the measurement, HWM the main process's VmHWM since start. Allocations are "
    "GC.GetTotalAllocatedBytes of the .NET targets (a startup hook), per request. The .NET targets run with "
    "MALLOC_ARENA_MAX=2, as the gateway's container image sets it. Ratios are to bare YARP "
    "(streamed targets: to streamed bare YARP), from the mean of the rounds.",
    "",
]

for c in levels:
    lines += [f"## {c} connection{'s' if c > 1 else ''} (mean of {len(by[(c, targets[0])])} round(s))", ""]
    lines += ["| target | RPS | RPS vs YARP | p50 µs | p99 µs | CPU µs/req | CPU vs YARP | cores busy | RSS MB | HWM MB | alloc KB/req | errors |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for t in targets:
        b = BASELINE.get(t, "yarp")
        rps, cpu = mean("rps", c, t), mean("cpu_us", c, t)
        cpu_text = fmt(cpu)
        if t == "gateway-pg":
            cpu_text += f" (+{fmt(mean('db_cpu_us', c, t))} db)"
        errors = sum(r["bad"] for r in by[(c, t)])
        lines.append(
            f"| {DESCRIPTION.get(t, t)} | {fmt(rps)} | {ratio(rps, mean('rps', c, b))} | {fmt(mean('p50', c, t))} | "
            f"{fmt(mean('p99', c, t))} | {cpu_text} | {ratio(cpu, mean('cpu_us', c, b))} | {fmt(cpu and rps and cpu * rps / 1e6, 2)} | "
            f"{fmt(mean('rss_mb', c, t), 1)} | "
            f"{fmt(mean('hwm_mb', c, t), 1)} | {fmt(mean('alloc_kb', c, t), 1)} | {errors} |")
    lines.append("")

rounds = sorted({int(r["round"]) for r in rows})
if len(rounds) > 1:
    lines += ["## Every round (ratios within the same round)", "",
              "| round | conns | target | RPS | vs YARP | p50 µs | p99 µs | CPU µs/req | vs YARP |",
              "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for c in levels:
        for rd in rounds:
            for t in targets:
                r = same.get((rd, c, t))
                base = same.get((rd, c, BASELINE.get(t, "yarp")))
                if not r:
                    continue
                lines.append(
                    f"| {rd} | {c} | {t} | {fmt(r['rps'])} | {ratio(r['rps'], base and base['rps'])} | {fmt(r['p50'])} | "
                    f"{fmt(r['p99'])} | {fmt(r['cpu_us'])} | {ratio(r['cpu_us'], base and base['cpu_us'])} |")
    lines.append("")

ttfb = read("ttfb.tsv")
if ttfb:
    lines += ["## Time to first byte, streamed (sequential calls on one kept-alive connection, curl)", "",
              "| round | target | calls | p50 ms | p99 ms | p50 above bare YARP | non-200 |", "|---:|---|---:|---:|---:|---:|---:|"]
    base = {(r["round"], r["target"]): float(r["p50_ms"]) for r in ttfb}
    for r in ttfb:
        b = base.get((r["round"], "yarp-stream"))
        above = "—" if b is None or r["target"] == "yarp-stream" else f"{float(r['p50_ms']) - b:+.3f} ms"
        lines.append(f"| {r['round']} | {DESCRIPTION.get(r['target'], r['target'])} | {r['calls']} | {r['p50_ms']} | "
                     f"{r['p99_ms']} | {above} | {r['non200']} |")
    lines.append("")

commits = read("commit.tsv")
if commits:
    lines += ["## Where the gateway's own time goes: the durable audit commit", "",
              "From the gateway's own histograms over each measurement: `xefai_audit_write_duration_seconds` (the call's wait "
              "for its record's batch to be committed, fsync included) and `xefai_gateway_overhead_seconds` (the call's time "
              "in the gateway minus the vendor's), means per call, mean of the rounds.", "",
              "| target | connections | commit wait µs | gateway overhead µs | overhead beyond the commit µs |",
              "|---|---:|---:|---:|---:|"]
    cby = defaultdict(list)
    for r in commits:
        cby[(r["target"], int(r["concurrency"]))].append(r)
    for (t, c), rs in sorted(cby.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        cw = statistics.mean(float(r["commit_mean_us"]) for r in rs)
        ov = statistics.mean(float(r["overhead_mean_us"]) for r in rs)
        lines.append(f"| {DESCRIPTION.get(t, t)} | {c} | {cw:,.0f} | {ov:,.0f} | {ov - cw:,.0f} |")
    lines.append("")

audit = read("audit.tsv")
if audit:
    lines += ["## Audit trail after the run (GET /admin/audit/verify)", ""]

    for r in audit:
        measured = sum(int(x["requests"] or 0) for x in rows + pinned if x["target"] == r["target"])
        try:
            verdict = json.loads(r["verify"])
        except ValueError:
            verdict = {}
        ok = verdict.get("valid") is True and int(verdict.get("records", 0)) >= measured
        lines.append(f"- {r['target']}: `{r['verify']}` for {measured:,} measured calls (warm-ups and checks not counted): "
                     + ("ok" if ok else "**NOT OK: every governed call must leave a record in a valid chain**"))
    lines.append("")

scaling = {}   # cores -> gateway/YARP throughput ratio, from the means of the rounds
if pinned:
    core_counts = sorted({r["cores"] for r in pinned})
    pc = pinned[0]["concurrency"]
    pby = defaultdict(list)
    for r in pinned:
        pby[(r["cores"], r["base"])].append(r)

    def pmean(key, n, t):
        values = [r[key] for r in pby[(n, t)] if r[key] is not None]
        return statistics.mean(values) if values else None

    lines += [f"## Scaling with cores ({pc} connections, mean of {len(pby[(core_counts[0], 'yarp')])} round(s))", "",
              "(b) and (c) started under `taskset -c` on the first N CPUs (listed above), so the runtime sees N processors; "
              "wrk and the stub are not pinned and share the same CPUs. The question is whether the gateway/YARP ratio "
              "holds as cores are added.", "",
              "| cores | (b) YARP RPS | (b) CPU µs/req | (c) gateway RPS | (c) CPU µs/req | gateway/YARP RPS | gateway/YARP CPU | (b) cores busy | (c) cores busy | errors |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in core_counts:
        yr, yc = pmean("rps", n, "yarp"), pmean("cpu_us", n, "yarp")
        gr, gc = pmean("rps", n, "gateway"), pmean("cpu_us", n, "gateway")
        if yr and gr:
            scaling[n] = gr / yr
        errors = sum(r["bad"] for t in ("yarp", "gateway") for r in pby[(n, t)])
        lines.append(f"| {n} | {fmt(yr)} | {fmt(yc)} | {fmt(gr)} | {fmt(gc)} | {ratio(gr, yr)} | {ratio(gc, yc)} | "
                     f"{fmt(yr and yc and yr * yc / 1e6, 2)} | {fmt(gr and gc and gr * gc / 1e6, 2)} | {errors} |")
    lines.append("")
    if len(core_counts) > 1:
        lo, hi = core_counts[0], core_counts[-1]
        y_lo, y_hi = pmean("rps", lo, "yarp"), pmean("rps", hi, "yarp")
        g_lo, g_hi = pmean("rps", lo, "gateway"), pmean("rps", hi, "gateway")
        if y_lo and y_hi and g_lo and g_hi:
            lines += [f"From {lo} to {hi} cores: YARP's throughput ×{y_hi / y_lo:.2f}, the gateway's ×{g_hi / g_lo:.2f}; "
                      f"the gateway/YARP ratio goes from {g_lo / y_lo:.2f} to {g_hi / y_hi:.2f} "
                      f"({(g_hi / y_hi) / (g_lo / y_lo):.0%} of its {lo}-core value).", ""]
    prounds = sorted({int(r["round"]) for r in pinned})
    if len(prounds) > 1:
        psame = {(int(r["round"]), r["cores"], r["base"]): r for r in pinned}
        lines += ["| round | cores | (b) RPS | (c) RPS | gateway/YARP RPS | (b) CPU µs/req | (c) CPU µs/req | gateway/YARP CPU |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n in core_counts:
            for rd in prounds:
                y, g = psame.get((rd, n, "yarp")), psame.get((rd, n, "gateway"))
                if y and g:
                    lines.append(f"| {rd} | {n} | {fmt(y['rps'])} | {fmt(g['rps'])} | {ratio(g['rps'], y['rps'])} | "
                                 f"{fmt(y['cpu_us'])} | {fmt(g['cpu_us'])} | {ratio(g['cpu_us'], y['cpu_us'])} |")
        lines.append("")

# Issue 12's targets, where this run measured them.
checks = []


def check(text, ok):
    checks.append(f"| {text} | {'met' if ok else '**not met**'} |")


for c in (32, 256):
    g, y = mean("rps", c, "gateway"), mean("rps", c, "yarp")
    if g and y:
        check(f"(c) throughput ≥ 70 % of (b) at {c}: {g / y:.0%}", g / y >= 0.7)
    gc, yc = mean("cpu_us", c, "gateway"), mean("cpu_us", c, "yarp")
    if gc and yc:
        check(f"(c) CPU per request ≤ 1.5× (b) at {c}: {gc / yc:.2f}×", gc / yc <= 1.5)
    p, y = mean("rps", c, "gateway-pg"), mean("rps", c, "yarp")
    if p and y:
        check(f"(d) throughput ≥ 50 % of (b) at {c}: {p / y:.0%}", p / y >= 0.5)
    a = mean("alloc_kb", c, "gateway")
    if a is not None:
        check(f"(c) allocations ≤ 16 KB per call at {c}: {a:.1f} KB", a <= 16)
g1, y1 = mean("p50", 1, "gateway"), mean("p50", 1, "yarp")
commit1 = [r for r in read("commit.tsv") if r["target"] == "gateway" and r["concurrency"] == "1"]
if g1 and y1:
    added = (g1 - y1) / 1000
    if commit1:
        commit = statistics.mean(float(r["commit_mean_us"]) for r in commit1) / 1000
        own = statistics.mean(float(r["overhead_mean_us"]) for r in commit1) / 1000
        beyond = added - commit
        check(f"(c) median latency added at 1 connection: {added:.2f} ms, of which the durable audit commit (mean wait, "
              f"from the gateway's own histogram) {commit:.2f} ms; beyond the commit {beyond:.2f} ms "
              f"(the gateway's own overhead histogram: {own:.2f} ms in all, {own - commit:.2f} ms beyond the commit)", beyond <= 0.3)
    else:
        checks.append(f"| (c) median latency added at 1 connection (durable commit included): {added:.2f} ms | target ≤ 0.3 ms beyond the commit; not separated (no commit.tsv) |")
rss = max((r["rss_mb"] for r in by[(256, "gateway")]), default=None)
if rss is not None:
    check(f"(c) RSS ≤ 200 MB at 256: {rss:.0f} MB", rss <= 200)
if ttfb:
    deltas = [float(r["p50_ms"]) - base[(r["round"], "yarp-stream")] for r in ttfb
              if r["target"] == "gateway-stream" and (r["round"], "yarp-stream") in base]
    if deltas:
        d = statistics.mean(deltas)
        check(f"(e) time to first byte ≤ 1 ms above (b): {d:+.2f} ms", d <= 1)
if len(scaling) > 1:
    lo, hi = min(scaling), max(scaling)
    held = scaling[hi] / scaling[lo]
    check(f"(c)/(b) throughput ratio holds from {lo} to {hi} cores (taskset): {scaling[lo]:.2f} → {scaling[hi]:.2f}, "
          f"{held:.0%} of the {lo}-core ratio (met here if ≥ 90 %)", held >= 0.9)

# --overload: one gateway with a small concurrency limit, driven far past its sustainable rate.
over = {}
if (out / "overload.tsv").exists():
    for line in (out / "overload.tsv").read_text().splitlines():
        key, _, value = line.partition("\t")
        over[key] = value
if over:
    def counts(text):
        return {k: int(v) for k, v in (p.split("=") for p in text.split())} if text else {}

    c = counts(over.get("counts", ""))
    answered = sum(c.get(k, 0) for k in ("2xx", "503", "429", "other"))
    shed_share = (c.get("503", 0) + c.get("429", 0)) / answered if answered else None
    sus = float(over.get("sustainable_rps") or 0)
    rps = float(over.get("rps") or 0)
    socket = over.get("socket_errors", "")
    timeouts = int(socket.split("timeout")[1].strip(" ,") or 0) if "timeout" in socket else 0
    samples = read("overload-scrape.tsv")
    health_ok = sum(1 for r in samples if r["healthz"] == "200")
    health_max = max((float(r["healthz_s"]) for r in samples), default=0) * 1000
    backlog_peak = max((int(r["backlog"]) for r in samples), default=-1)
    rss_peak = max((int(r["rss_kb"]) for r in samples), default=0) / 1024
    scrapes_missed = sum(1 for r in samples if r["backlog"] == "-1")
    shed = int(over.get("shed_after") or 0) - int(over.get("shed_before") or 0)
    after = over.get("after_call", "\t").split("\t")
    try:
        verdict = json.loads(over.get("verify", ""))
    except ValueError:
        verdict = {}
    sc = counts(over.get("sustainable_counts", ""))
    ok_calls = sc.get("2xx", 0) + c.get("2xx", 0)
    mb = lambda kb: f"{int(kb or 0) / 1024:,.0f} MB"
    rounds_rps = over.get("rounds_rps_32")
    lines += [
        "## Overload", "",
        f"A gateway of its own, started with `Gateway__Overload__MaxConcurrentCalls={over['limit']}` (queue: "
        f"{over['queue']}). Its sustainable rate, 5 s at 32 connections (all fit in its places and queue): "
        f"**{fmt(sus)} req/s** (p50 {fmt(float(over.get('sustainable_p50_us') or 0) / 1000, 1)} ms, p99 "
        f"{fmt(float(over.get('sustainable_p99_us') or 0) / 1000, 1)} ms; answers {over.get('sustainable_counts')})"
        + (f"; (c) with the default limit at 32 connections in the rounds above: {fmt(float(rounds_rps))} req/s" if rounds_rps else "")
        + f". Then {over['connections']} connections for {over['duration']} s, each sending its next call as soon as "
        "the last is answered; `/healthz`, `/metrics` and the gateway's RSS read every 0.5 s.", "",
        "| figure | value |", "|---|---:|",
        f"| answers per second (all statuses) | {fmt(rps)} ({ratio(rps, sus)} the sustainable rate) |",
        f"| answers | {answered:,}: 2xx {c.get('2xx', 0):,}, 503 {c.get('503', 0):,}, 429 {c.get('429', 0):,}, other {c.get('other', 0):,} |",
        f"| share shed (503/429) | {'—' if shed_share is None else f'{shed_share:.1%}'} |",
        f"| shed answers without `Retry-After` | {c.get('no_retry_after', '—')} |",
        f"| served (2xx) per second | {fmt(c.get('2xx', 0) / float(over['duration']))} |",
        f"| p50 / p99 of all answers | {fmt(float(over.get('p50_us') or 0) / 1000, 1)} / {fmt(float(over.get('p99_us') or 0) / 1000, 1)} ms |",
        f"| wrk socket errors (10 s timeout) | {socket or 'none'} |",
        f"| RSS before / after / peak sampled | {mb(over.get('rss_before_kb'))} / {mb(over.get('rss_after_kb'))} / {rss_peak:,.0f} MB |",
        f"| VmHWM before / after | {mb(over.get('hwm_before_kb'))} / {mb(over.get('hwm_after_kb'))} |",
        f"| `xefai_shed_total` during the run | {shed:,} |",
        f"| peak `xefai_audit_backlog` | {backlog_peak} (after the run: {over.get('backlog_after')}) |",
        f"| `/healthz` 200 | {health_ok} of {len(samples)} reads, slowest {health_max:,.0f} ms |",
        f"| `/metrics` scrapes that failed | {scrapes_missed} |",
        f"| a normal call afterwards | HTTP {after[0]}{' with the stub answer' if after[1:] == ['1'] else ''} |",
        f"| audit verify | `{over.get('verify')}` for {ok_calls:,} calls answered 2xx here |",
        "",
    ]
    check(f"overload: shed with 503/429 + Retry-After, {'—' if shed_share is None else f'{shed_share:.0%}'} of answers",
          bool(shed_share) and c.get("no_retry_after", 1) == 0 and c.get("other", 1) == 0)
    check(f"overload: no wrk timeouts ({timeouts})", timeouts == 0)
    check(f"overload: /healthz answered throughout ({health_ok}/{len(samples)})", samples and health_ok == len(samples))
    check(f"overload: RSS bounded ({mb(over.get('rss_before_kb'))} → peak {rss_peak:,.0f} MB)", rss_peak <= 2 * int(over.get('rss_before_kb') or 0) / 1024 + 100)
    check(f"overload: audit backlog bounded and visible (peak {backlog_peak})", backlog_peak >= 0)
    check("overload: a normal call answers 200 afterwards and the trail verifies",
          after[1:] == ["1"] and verdict.get("valid") is True and int(verdict.get("records", 0)) >= ok_calls)

if checks:
    lines += ["## Issue 12's targets in this run", "", "| target | verdict |", "|---|---|"] + checks + [""]

bad = [f"{r['target']} (round {r['round']}, c={r['concurrency']}): {r['bad']}" for r in rows + pinned if r["bad"]]
if bad:
    lines += ["**Errors (non-2xx answers or socket errors) — figures of these rows are not valid:** " + "; ".join(bad), ""]

(out / "results.md").write_text("\n".join(lines))

# gnuplot data: one row per target, one column per concurrency.
with (out / "rps.dat").open("w") as f:
    f.write("target " + " ".join(f'"c={c}"' for c in levels) + "\n")
    for t in targets:
        f.write(f'"{t}" ' + " ".join(f"{mean('rps', c, t) or 0:.0f}" for c in levels) + "\n")
with (out / "cpu.dat").open("w") as f:
    f.write("target " + " ".join(f'"c={c}"' for c in levels) + "\n")
    for t in targets:
        f.write(f'"{t}" ' + " ".join(f"{mean('cpu_us', c, t) or 0:.0f}" for c in levels) + "\n")
(out / "chart.vars").write_text(f"ncol = {len(levels)}\n")
