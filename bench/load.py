"""Latency, throughput and memory of the whole server under N concurrent users.

  .venv/bin/python -m bench.load [--users 1,10,50] [--db sqlite,postgresql] [--think 3]
                                 [--no-train]

What runs, all on 127.0.0.1 with the trained model (models/meldwijzer.tar.gz):
- "full": the action server (case log) and the Rasa server with the REST channel and the
  encrypted SQL tracker store, on SQLite (the default for a school) and/or PostgreSQL
  (127.0.0.1:5432, what a school board runs).
- "floor": a bare Rasa server with the same model, no action server and the in-memory tracker
  store. It answers look-ups and the safety net only (those need no custom action), so the
  full server is also measured on that same script ("full, look-ups").

Each simulated user is a staff member in one conversation: the guided route from a worry to a
decision, with a question about the meldcode and a message with danger signs in the middle
(20 messages), or, for the look-up script, questions, the social map and the safety net.
Users start within the first `--think` seconds and then wait `--think` seconds (default 3:
uniform 1.5-4.5 s) between a reply and their next message: reading a short reply and tapping
a button. A person typing a
signal needs longer. One user alone sends without pauses, and "route, think 0" at N = 10
measures the most the server can do (saturation).

Reports per-message latency (p50/p95/p99), messages per second, errors (non-200, timeouts,
connection errors) and off-script replies, peak RSS (VmHWM) of each process, start-up time
(process start to first answered request) and the time of a full training (`rasa train
--force` into a temporary folder, with the time of each component from Rasa's log; skip with
--no-train). Writes .build/results/bench.md and bench.json. Takes ~15 min, ~4 more with training.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import aiohttp
import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# REST is off in credentials.yml; the bench uses the tests' credentials (REST on) and token.
from conftest import (MODEL, REST_AUTH, RESULTS, SERVER_ENV, TEST_CREDENTIALS, VENV_BIN,  # noqa: E402
                      action_endpoint, free_port, stop)

TARGETS = {"p95_ms_at_10": 150, "rasa_rss_mb": 1536, "startup_s": 30, "training_s": 180}
TIMEOUT_S = 60

# (message, text the reply must contain). Answers are buttons' payloads or typed Dutch.
ROUTE: List[Tuple[str, str]] = [
    ("ik heb een niet-pluisgevoel over een leerling", "Is er acuut gevaar"),
    ("/deny", "Gaat je vermoeden over een medewerker"),
    ("/deny", "Wat heb je gezien, gehoord of geroken"),
    ("Ze had {day} een blauwe plek op haar bovenarm en trok haar mouw snel naar beneden.", "Wanneer en waar"),
    ("wat is de kindcheck?", "Wanneer en waar"),  # a question in the middle: answer, then the question again
    ("{day} om 10 uur in de klas tijdens gym, de vakleerkracht was erbij.", "vermoeden of een verklaring"),
    ("nee", "informatie van anderen"),
    ("nee", "Speelt er bij een ouder iets"),
    ("/deny", "Stap 2: collegiale consultatie"),
    ("/affirm", "Twijfelen jij of je IB'er"),
    ("/deny", "schriftelijk toestemming"),
    ("/affirm", "Stap 3: gesprek met de ouders"),
    ("/deny", "veilig gevoerd"),
    ("hij vertelde net dat zijn moeder hem schopt en opsluit in de kast", "0800-2000"),
    ("/affirm", "contact verbreekt"),
    ("/deny", "Is het gesprek met de ouders gevoerd"),
    ("/affirm", "Afweging 1."),
    ("/affirm", "Afweging 2."),
    ("/deny", "Afweging 3."),
    ("/deny", "Volgens afweging 3"),
]
LOOKUPS: List[Tuple[str, str]] = [
    ("menu", ""),
    ("wat is de kindcheck?", "kindcheck"),
    ("mag ik veilig thuis anoniem om advies vragen?", "anoniem"),
    ("wie is de aandachtsfunctionaris?", "aandachtsfunctionaris"),
    ("ze vertelde dat haar stiefvader haar slaat met een riem", "0800-2000"),
    ("wat moet ik vastleggen in het dossier?", ""),
    ("moet ik de ouders altijd eerst spreken?", ""),
    ("ik denk dat een meisje besneden gaat worden in de zomervakantie", "0800-2000"),
    ("wat doet de casushouder?", ""),
    ("bedankt", ""),
]
DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]


# --- processes ------------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen
    url: str
    startup_s: float
    log: Path

    def peak_rss_mb(self) -> Dict[str, float]:
        """VmHWM (peak resident set) of the process and each of its children, in MB."""
        return {f"{name} ({pid})": kb / 1024 for pid, name, kb in _tree_hwm(self.process.pid)}


def _tree_hwm(pid: int) -> Iterator[Tuple[int, str, int]]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    yield pid, fields["Name"].strip(), int(fields.get("VmHWM", "0 kB").split()[0])
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            yield from _tree_hwm(int(child))


def _start(args: List[str], ready: str, log: Path, env: Dict[str, str]) -> Server:
    started = time.monotonic()
    process = subprocess.Popen(args, cwd=ROOT, env={**SERVER_ENV, **env},
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    while time.monotonic() - started < 300:
        if process.poll() is not None:
            raise RuntimeError(f"{args[1:3]} exited; log:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(ready, timeout=2).status_code == 200:
                base = ready.rsplit("/", 1)[0] if ready.endswith("/health") else ready.rstrip("/")
                return Server(process, base, time.monotonic() - started, log)
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{ready} not ready after 300 s")


def start_actions(tmp: Path, env: Dict[str, str]) -> Server:
    port = free_port()
    return _start(["bash", "bot/run_actions.sh", str(port)],  # as make chat/webchat start it
                  f"http://127.0.0.1:{port}/health", tmp / "actions.log", {"VENV": str(VENV_BIN.parent), **env})


def start_rasa(tmp: Path, endpoints: Dict, name: str) -> Server:
    path = tmp / f"endpoints-{name}.yml"
    path.write_text(yaml.safe_dump(endpoints))
    port = free_port()
    return _start([str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(path),
                   "--credentials", str(TEST_CREDENTIALS), "--port", str(port),
                   "--interface", "127.0.0.1"],
                  f"http://127.0.0.1:{port}/", tmp / f"rasa-{name}.log", {})


# --- simulated users ------------------------------------------------------------------------
@dataclass
class Run:
    server: str
    script: str
    users: int
    think_s: float
    latencies_ms: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    off_script: List[str] = field(default_factory=list)
    wall_s: float = 0.0

    def row(self) -> Dict:
        ordered = sorted(self.latencies_ms)

        def pct(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 1) if ordered else float("nan")

        return {"server": self.server, "script": self.script, "users": self.users, "think_s": self.think_s,
                "messages": len(ordered), "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "max_ms": round(ordered[-1], 1) if ordered else None,
                "msgs_per_s": round(len(ordered) / self.wall_s, 1) if self.wall_s else None,
                "errors": len(self.errors), "off_script": len(self.off_script),
                "error_samples": self.errors[:3], "off_script_samples": self.off_script[:3]}


def script_for(name: str, rng: random.Random) -> List[Tuple[str, str]]:
    if name == "route":
        day = rng.choice(DAYS)
        return [(text.format(day=day), expect) for text, expect in ROUTE]
    return list(LOOKUPS)


async def user(session: aiohttp.ClientSession, url: str, run: Run, sender: str, script: List[Tuple[str, str]],
               think_s: float, rng: random.Random, start: asyncio.Event) -> None:
    await start.wait()
    for i, (text, expect) in enumerate(script):
        if think_s:  # the first message too: people do not all start in the same millisecond
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5) if i else think_s * rng.uniform(0, 1))
        began = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}, headers=REST_AUTH) as response:
                body = await response.text()
                elapsed = (time.perf_counter() - began) * 1000
                if response.status != 200:
                    run.errors.append(f"HTTP {response.status} on message {i}")
                    continue
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            run.errors.append(f"{type(error).__name__} on message {i}")
            continue
        run.latencies_ms.append(elapsed)
        replies = json.loads(body)
        said = "\n".join(r.get("text") or "" for r in replies)
        if not replies or (expect and expect not in said):
            run.off_script.append(f"message {i}: expected {expect!r}")


async def drive(url: str, run: Run, conversations_per_user: int, seed: int) -> None:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=0)
    start = asyncio.Event()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        tasks = []
        for u in range(run.users):
            rng = random.Random(seed * 1000 + u)

            async def one_user(u=u, rng=rng):
                for c in range(conversations_per_user):
                    sender = f"bench-{run.server.split()[0]}-{seed}-{u}-{c}"
                    await user(session, url, run, sender, script_for(run.script, rng), run.think_s, rng, start)

            tasks.append(asyncio.create_task(one_user()))
        began = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        run.wall_s = time.perf_counter() - began


def measure(server: Server, name: str, script: str, users: int, think_s: float, seed: int) -> Dict:
    # At least ~60 messages per run, so that p95 means something at N = 1.
    per_user = max(1, math.ceil(60 / (len(script_for(script, random.Random())) * users)))
    run = Run(name, script, users, think_s)
    asyncio.run(drive(server.url + "/webhooks/rest/webhook", run, per_user, seed))
    row = run.row()
    print(f"  {name:18s} {script:7s} N={users:<3d} think {think_s:>3.1f}s  {row['messages']:5d} msgs  "
          f"p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  p99 {row['p99_ms']:7.1f} ms  "
          f"{row['msgs_per_s']:6.1f} msg/s  errors {row['errors']}  off-script {row['off_script']}", flush=True)
    return row


def warm_up(server: Server, script: str) -> float:
    """The first message after start-up (TensorFlow builds its graphs); returns its time in ms."""
    sender = f"warmup-{time.monotonic_ns()}"
    times = []
    for text, _ in script_for(script, random.Random(0))[:4]:
        began = time.perf_counter()
        requests.post(server.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      headers=REST_AUTH, timeout=TIMEOUT_S).raise_for_status()
        times.append((time.perf_counter() - began) * 1000)
    return round(times[0], 1)


# --- training -------------------------------------------------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Rasa colours some log lines
COMPONENT = re.compile(r"^(\S+ \S+) INFO\s+rasa\.engine\.training\.hooks\s+- (Starting to train|Finished training) component '([^']+)'")


def time_training(tmp: Path) -> Dict:
    """A full training from scratch (no cache), as `make train` runs it after a data change."""
    log = tmp / "train.log"
    began = time.monotonic()
    with log.open("w") as out:
        subprocess.run([str(VENV_BIN / "rasa"), "train", "--data", "data/nlu", "data/stories", "data/meldcode/faq",
                        "--out", str(tmp / "model"), "--force"], cwd=ROOT, env=SERVER_ENV, stdout=out,
                       stderr=subprocess.STDOUT, check=True)
    total = time.monotonic() - began
    starts: Dict[str, datetime] = {}
    components: List[Tuple[str, float]] = []
    for line in ANSI.sub("", log.read_text(errors="replace")).replace("\r", "\n").splitlines():
        match = COMPONENT.match(line)
        if not match:
            continue
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        if match.group(2).startswith("Starting"):
            starts[match.group(3)] = at
        elif match.group(3) in starts:
            components.append((match.group(3), (at - starts.pop(match.group(3))).total_seconds()))
    merged: Dict[str, float] = {}
    for name, seconds in components:  # two CountVectorsFeaturizers, ...: add them up
        merged[name] = merged.get(name, 0) + seconds
    return {"total_s": round(total, 1), "components_s": dict(sorted(merged.items(), key=lambda kv: -kv[1]))}


# --- report ---------------------------------------------------------------------------------
def markdown(result: Dict) -> str:
    lines = ["| server | script | N | think | msgs | p50 ms | p95 ms | p99 ms | msg/s | errors | off-script |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in result["runs"]:
        lines.append(f"| {r['server']} | {r['script']} | {r['users']} | {r['think_s']} s | {r['messages']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['msgs_per_s']} | {r['errors']} | "
                     f"{r['off_script']} |")
    lines += ["", "| process | start-up s | first message ms | peak RSS MB |", "| --- | --- | --- | --- |"]
    for p in result["processes"]:
        rss = ", ".join(f"{v:.0f}" for v in p["peak_rss_mb"].values())
        lines.append(f"| {p['name']} | {p['startup_s']} | {p.get('first_message_ms', '')} | {rss} |")
    training = result.get("training")
    if training:
        parts = ", ".join(f"{k} {v:.0f} s" for k, v in training["components_s"].items() if v >= 1)
        lines += ["", f"Training (full, `rasa train --force`): {training['total_s']} s. Components: {parts}."]
    verdict = {True: "met", False: "MISSED", None: "not measured"}
    lines += ["", "Targets: " + "; ".join(f"{k} {verdict[v]}" for k, v in result["targets"].items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--users", default="1,10,50")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a reply and the next message")
    parser.add_argument("--no-train", action="store_true", help="do not time a full training")
    args = parser.parse_args()
    users = [int(n) for n in args.users.split(",")]

    def think(n: int) -> float:
        return args.think if n > 1 else 0.0  # one user alone: no pauses needed
    tmp = Path(tempfile.mkdtemp(prefix="mw-bench-load-"))
    result: Dict = {"model": str(MODEL), "cpus": os.cpu_count(), "think_s": args.think, "runs": [], "processes": []}
    print(f"bench.load: {os.cpu_count()} cores, think time {args.think} s, users {users}", flush=True)

    # The floor: the model alone.
    floor = start_rasa(tmp, {}, "floor")
    try:
        first = warm_up(floor, "lookups")
        for n in users:
            result["runs"].append(measure(floor, "floor", "lookups", n, think(n), seed=n))
        result["processes"].append({"name": "Rasa server, floor", "startup_s": round(floor.startup_s, 1),
                                    "first_message_ms": first, "peak_rss_mb": floor.peak_rss_mb()})
    finally:
        stop(floor.process)

    for db in args.db.split(","):
        databases = _databases(db, tmp)
        case_url, tracker_url = next(databases)
        actions = start_actions(tmp, {"MELDWIJZER_DB_URL": case_url})
        store = {"type": "bot.tracker_store.EncryptedSQLTrackerStore", "db_url": tracker_url}
        rasa = start_rasa(tmp, {"action_endpoint": action_endpoint(actions.url + "/webhook"), "tracker_store": store},
                          f"full-{db}")
        name = f"full {db}"
        try:
            first = warm_up(rasa, "route")
            for n in users:
                result["runs"].append(measure(rasa, name, "route", n, think(n), seed=n))
            result["runs"].append(measure(rasa, name, "lookups", 10, args.think, seed=99))
            result["runs"].append(measure(rasa, name, "route", 10, 0.0, seed=98))  # saturation
            result["processes"].append({"name": f"Rasa server, {name}", "startup_s": round(rasa.startup_s, 1),
                                        "first_message_ms": first, "peak_rss_mb": rasa.peak_rss_mb()})
            result["processes"].append({"name": f"action server, {name}", "startup_s": round(actions.startup_s, 1),
                                        "peak_rss_mb": actions.peak_rss_mb()})
        finally:
            stop(rasa.process)
            stop(actions.process)
            next(databases, None)

    if not args.no_train:
        print("  timing a full training (rasa train --force) ...", flush=True)
        result["training"] = time_training(tmp)

    full_10 = [r for r in result["runs"] if r["server"].startswith("full") and r["users"] == 10
               and r["script"] == "route" and r["think_s"] == args.think]
    full = [r for r in result["runs"] if r["server"].startswith("full")]
    rasa_rss = [max(p["peak_rss_mb"].values()) for p in result["processes"] if p["name"].startswith("Rasa")]
    full_50 = [r for r in full if r["users"] == 50]
    result["targets"] = {
        f"p95 <= {TARGETS['p95_ms_at_10']} ms at N = 10": all(r["p95_ms"] <= TARGETS["p95_ms_at_10"] for r in full_10)
        if full_10 else None,
        "no errors at N = 50": all(r["errors"] == 0 for r in full_50) if full_50 else None,
        f"Rasa RSS <= {TARGETS['rasa_rss_mb']} MB": all(v <= TARGETS["rasa_rss_mb"] for v in rasa_rss),
        f"start-up <= {TARGETS['startup_s']} s": all(p["startup_s"] <= TARGETS["startup_s"] for p in result["processes"]),
    }
    if "training" in result:
        result["targets"][f"training <= {TARGETS['training_s']} s"] = result["training"]["total_s"] <= TARGETS["training_s"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(result, indent=2))
    table = markdown(result)
    (RESULTS / "bench.md").write_text(table)
    print("\n" + table)
    return 0


def _databases(kind: str, tmp: Path) -> Iterator[Tuple[str, str]]:
    """(case-log URL, tracker URL) for a fresh database; dropped after the run."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'caselog.db'}", f"sqlite:///{tmp / 'tracker.db'}"
        return
    if kind != "postgresql":
        raise SystemExit(f"unknown --db {kind}")
    from pg import pg_database

    databases = pg_database()
    url = next(databases)
    yield url, url
    next(databases, None)


if __name__ == "__main__":
    sys.exit(main())
