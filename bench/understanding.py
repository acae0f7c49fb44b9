"""Does Meldwijzer understand what staff write? Independent sets against the real servers.

  .venv/bin/python -m bench.understanding [SET.yml ...] [--out DIR] [--first-sight]

A set (tests/understanding/*.yml, format in tests/understanding/README.md) holds single
messages with the class a helper gave them (danger, worry, after_hours, lookup, calm,
bad_input) and conversations of 3-7 free-text turns with the protocol's outcome. Each is sent
through the REST channel to a real Rasa server and action server (the trained model), and
the replies are recognised by the response they come from (domain.yml, the FAQ answers, the
route and the afwegingskader): see `Recogniser`. The school profile used here counts every
moment as school time, so after hours can only come from the text.

Prints per class how many were handled right, the refusal rate on messages about a child and
the false-alarm rate on calm messages; writes summary.md and results.json to --out.
The sets' first-sight figures (measured before anything was changed for them) are kept in
tests/understanding/first_sight.md; this tool measures the current model.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "understanding"
OUT = ROOT / ".build" / "eval" / "understanding"

CLASSES = ("danger", "worry", "after_hours", "lookup", "calm", "bad_input")
ABOUT_A_CHILD = ("danger", "worry", "after_hours")
# The guidance variant a danger kind should get (domain.yml, utter_acute_guidance): the
# kinds without their own variant accept any that is not the disclosure text.
VARIANT_OF_KIND = {
    "disclosure": {"disclosure"},
    "sexual": {"sexual"},
    "special_form": {"special_form"},
    "self_harm": {"self_harm"},
    "parent_threat": {"parent_threat"},
    "alone_or_not_collected": {"alone"},
}
NOT_DISCLOSURE = {"generic", "injury", "sexual", "self_harm", "parent_threat", "alone", "special_form"}
REFUSALS = {"utter_school_matter", "utter_out_of_scope", "utter_default"}
OFFERS = {"utter_child_safety_check", "utter_child_safety_check_after_hours", "utter_offer_route"}
ROUTE_STARTS = {"utter_worry_start", "route:s1_acuut", "route:intro_1", "utter_story_understood"}


# ---------------------------------------------------------------------------------------
# Recognising replies
# ---------------------------------------------------------------------------------------
def _prefix(text: str, length: int = 48) -> str:
    """The fixed start of a text: up to its first template field, normalised spaces."""
    fixed = text.split("{", 1)[0]
    return re.sub(r"\s+", " ", fixed).strip()[:length]


class Recogniser:
    """Names the responses a reply is made of, by their fixed opening words."""

    def __init__(self, root: Path = ROOT) -> None:
        self.prefixes: List[Tuple[str, str]] = []  # (prefix, name)
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
        for name, variants in domain.get("responses", {}).items():
            for variant in variants:
                label = name
                if name == "utter_acute_guidance":
                    label = "danger:" + self._variant_name(variant)
                elif self._after_hours_variant(variant):
                    label = name + ":after_hours"
                self._add(variant.get("text", ""), label)
        for path in sorted((root / "data" / "meldcode" / "faq").glob("faq_responses_*.yml")):
            responses = yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]
            for name, variants in responses.items():
                for variant in variants:
                    self._add(variant["text"], name.replace("utter_faq/", "faq:"))
        kader = yaml.safe_load((root / "data" / "meldcode" / "afwegingskader.yml").read_text(encoding="utf-8"))
        for key, outcome in kader["outcomes"].items():
            self._add(outcome["text"], f"outcome:{key}")
        route = yaml.safe_load((root / "data" / "meldcode" / "route.yml").read_text(encoding="utf-8"))
        for key, stop in route.get("stops", {}).items():
            self._add(stop["text"], f"stop:{key}")
        self._add(route["questions"]["s1_acuut"]["text"], "route:s1_acuut")
        self._add(route["step_intros"][1]["text"], "route:intro_1")
        # Longest first: a prefix that starts another one must not shadow it.
        self.prefixes.sort(key=lambda item: -len(item[0]))
        profile = yaml.safe_load((root / "data" / "schools" / "voorbeeldschool.yml").read_text(encoding="utf-8"))
        self.contact_names = [c["name"] for c in profile["contacts"].values()]

    @staticmethod
    def _variant_name(variant: Dict) -> str:
        for condition in variant.get("condition") or []:
            if condition.get("name") == "danger_kind":
                return str(condition["value"])
        return "generic"

    @staticmethod
    def _after_hours_variant(variant: Dict) -> bool:
        return any(c.get("name") == "after_hours" and c.get("value") is True
                   for c in variant.get("condition") or [])

    def _add(self, text: str, name: str) -> None:
        prefix = _prefix(text)
        if len(prefix) >= 12:
            self.prefixes.append((prefix, name))

    def names(self, replies: Sequence[Dict]) -> List[str]:
        found: List[str] = []
        for reply in replies:
            text = re.sub(r"\s+", " ", reply.get("text") or "").strip()
            if not text:
                continue
            name = next((n for p, n in self.prefixes if text.startswith(p)), None)
            if name is None and any(text.startswith(c + ":") for c in self.contact_names):
                name = "social_map"
            if name is None and text.startswith("Dit zijn de contacten in de sociale kaart"):
                name = "social_map"
            found.append(name or "unknown")
        return found


def behaviours(names: Iterable[str]) -> Set[str]:
    """What the user met: danger, after_hours, route, offer, refusal, faq:<key>, ..."""
    out: Set[str] = set()
    for name in names:
        if name.startswith("danger:") or name in ("stop:acuut", "stop:eer_vgv"):
            out.add("danger")
        base, _, variant = name.partition(":")
        if name in ("utter_after_hours", "utter_child_safety_check_after_hours") \
                or (variant == "after_hours" and not name.startswith("danger:")):
            out.add("after_hours")
        if name in ROUTE_STARTS:
            out.add("route")
        if base in OFFERS:
            out.add("offer")
        if name in REFUSALS:
            out.add("refusal")
        if name == "utter_fallback":
            out.add("fallback")
        out.add(name)
    return out


# ---------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------
@dataclass
class Result:
    id: str
    cls: str
    ok: bool
    names: List[str]
    detail: str = ""
    variant_ok: Optional[bool] = None
    ms: float = 0.0
    # A conversation's turns: what the user typed and the start of each reply (--trace).
    trace: List[Tuple[str, List[str]]] = field(default_factory=list)


def score_message(item: Dict, names: List[str], status: int) -> Result:
    cls = item["class"]
    seen = behaviours(names)
    result = Result(item["id"], cls, False, names)
    if status != 200:
        result.detail = f"HTTP {status}"
        return result
    if cls == "danger":
        result.ok = "danger" in seen
        variants = {n.split(":", 1)[1] for n in names if n.startswith("danger:")}
        if result.ok:
            wanted = VARIANT_OF_KIND.get(item.get("kind", ""), NOT_DISCLOSURE)
            result.variant_ok = bool(variants & wanted)
    elif cls == "worry":
        # The route or its offer; danger guidance alone is not a route (nor a refusal).
        result.ok = bool(seen & {"route", "offer"}) and "refusal" not in seen
    elif cls == "after_hours":
        result.ok = bool(seen & {"after_hours", "danger"}) and "refusal" not in seen
    elif cls == "lookup":
        wanted = {"social_map" if key == "sociale_kaart" else f"faq:{key}" for key in item["faq"]}
        result.ok = bool(seen & wanted)
    elif cls == "calm":
        result.ok = "danger" not in seen
    elif cls == "bad_input":
        result.ok = bool(names) and "danger" not in seen
    else:
        raise ValueError(f"{item['id']}: unknown class {cls}")
    return result


def score_conversation(item: Dict, names: List[str]) -> Result:
    """Right when the last outcome of the afwegingskader is the protocol's (on the way to
    afweging 5 the route passes "organise help" first), or, for acute danger, when the
    guidance came; and never a refusal."""
    seen = behaviours(names)
    wanted = item["outcome"]
    outcomes = [n.split(":", 1)[1] for n in names if n.startswith("outcome:")]
    if wanted == "acute":
        ok = "danger" in seen
    else:
        ok = bool(outcomes) and outcomes[-1] == wanted
    ok = ok and "refusal" not in seen
    return Result(item["id"], "conversation", ok, names, detail=f"outcomes={outcomes}")


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------
def load_sets(paths: Sequence[Path]) -> Tuple[List[Dict], List[Dict]]:
    messages: List[Dict] = []
    conversations: List[Dict] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        messages += data.get("messages") or []
        conversations += data.get("conversations") or []
    return messages, conversations


class Client:
    def __init__(self, base_url: str, headers: Dict[str, str]) -> None:
        self.url = base_url + "/webhooks/rest/webhook"
        self.headers = headers

    def send(self, sender: str, text: str) -> Tuple[int, List[Dict], float]:
        start = time.perf_counter()
        response = requests.post(self.url, json={"sender": sender, "message": text},
                                 headers=self.headers, timeout=60)
        ms = (time.perf_counter() - start) * 1000
        replies = response.json() if response.status_code == 200 else []
        return response.status_code, replies, ms


def run(client: Client, messages: Sequence[Dict], conversations: Sequence[Dict],
        recogniser: Recogniser) -> List[Result]:
    results: List[Result] = []
    for item in messages:
        sender = f"eval-{uuid.uuid4().hex[:12]}"
        status, replies, ms = client.send(sender, str(item.get("text", "")))
        result = score_message(item, recogniser.names(replies), status)
        result.ms = ms
        results.append(result)
    for item in conversations:
        sender = f"eval-{uuid.uuid4().hex[:12]}"
        names: List[str] = []
        trace: List[Tuple[str, List[str]]] = []
        for turn in item["turns"]:
            _status, replies, _ms = client.send(sender, str(turn))
            names += recogniser.names(replies)
            trace.append((str(turn), [str(r.get("text", ""))[:90].replace("\n", " ") for r in replies]))
        result = score_conversation(item, names)
        result.trace = trace
        results.append(result)
    return results


def summarise(results: Sequence[Result]) -> Dict:
    by_class: Dict[str, List[Result]] = defaultdict(list)
    for result in results:
        by_class[result.cls].append(result)
    table = {cls: {"right": sum(r.ok for r in rs), "of": len(rs)} for cls, rs in by_class.items()}
    dangers = [r for r in by_class.get("danger", []) if r.ok]
    about_child = [r for r in results if r.cls in ABOUT_A_CHILD]
    calm = by_class.get("calm", [])
    worries = by_class.get("worry", []) + by_class.get("after_hours", [])
    summary = {
        "classes": table,
        "danger_variant_right": {"right": sum(bool(r.variant_ok) for r in dangers), "of": len(dangers)},
        "refused_about_a_child": {
            "count": sum("refusal" in behaviours(r.names) for r in about_child), "of": len(about_child)},
        "false_alarms_calm": {"count": sum(not r.ok for r in calm), "of": len(calm)},
        # Not wrong (the route is still offered), but louder than a worry needs: "Handel nu".
        "guidance_on_worries": {"count": sum("danger" in behaviours(r.names) for r in worries), "of": len(worries)},
        "message_ms_max": round(max((r.ms for r in results if r.cls != "conversation"), default=0), 1),
    }
    return summary


def markdown(summary: Dict, title: str) -> str:
    lines = [f"### {title}", "", "| kind of message | handled right |", "| --- | --- |"]
    for cls in (*CLASSES, "conversation"):
        row = summary["classes"].get(cls)
        if row:
            pct = 100 * row["right"] / row["of"]
            lines.append(f"| {cls} | {row['right']} of {row['of']} ({pct:.0f} %) |")
    variant = summary["danger_variant_right"]
    refused = summary["refused_about_a_child"]
    calm = summary["false_alarms_calm"]
    worried = summary["guidance_on_worries"]
    lines += [
        "",
        f"- right guidance variant, of the danger messages caught: {variant['right']} of {variant['of']}",
        f"- refused (\"daar kan ik je niet mee helpen\") on messages about a child: "
        f"{refused['count']} of {refused['of']}",
        f"- false alarms (emergency guidance) on calm school messages: {calm['count']} of {calm['of']}",
        f"- emergency guidance on worries (with the route's offer): {worried['count']} of {worried['of']}",
        f"- slowest single message: {summary['message_ms_max']} ms",
    ]
    return "\n".join(lines) + "\n"


def print_failures(results: Sequence[Result], messages: Sequence[Dict], conversations: Sequence[Dict],
                   trace: bool = False) -> None:
    items = {m["id"]: m for m in messages} | {c["id"]: c for c in conversations}
    for r in results:
        if not r.ok or r.variant_ok is False:
            item = items[r.id]
            shown = item.get("text") or " / ".join(item["turns"])
            expected = item.get("kind") or item.get("faq") or item.get("outcome") or ""
            print(f"✗ {r.id} {r.cls} {expected} -> {r.names} {r.detail}\n   {str(shown)[:300]}")
            for turn, replies in r.trace if trace else []:
                print(f"   > {turn[:120]}")
                for reply in replies:
                    print(f"     < {reply}")


def always_open_profile(directory: Path) -> Path:
    """The sample school, open every day all day: after hours can only come from the text."""
    profile = yaml.safe_load((ROOT / "data" / "schools" / "voorbeeldschool.yml").read_text(encoding="utf-8"))
    profile["school"]["school_hours"] = {"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "23:59"}
    profile["school"]["holidays"] = []
    path = directory / "always_open.yml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.contextmanager
def servers() -> Iterator[Client]:
    """The action server and a Rasa server (REST on, the tests' token) with the trained model
    and a school open all day; yields a client for them and stops both afterwards."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import MODEL, REST_AUTH, start_actions, start_rasa, stop  # noqa: E402

    with tempfile.TemporaryDirectory(prefix="meldwijzer-understanding-") as tmp:
        tmp_path = Path(tmp)
        env = {"MELDWIJZER_SCHOOL": str(always_open_profile(tmp_path))}
        actions = start_actions(tmp_path, env=env)
        try:
            rasa = start_rasa(MODEL, actions.webhook, tmp_path, env=env)  # type: ignore[attr-defined]
            try:
                yield Client(rasa.base_url, dict(REST_AUTH))  # type: ignore[attr-defined]
            finally:
                stop(rasa)
        finally:
            stop(actions)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path,
                        help="set files (default: every round in tests/understanding)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--failures", action="store_true", help="list the items handled wrong")
    parser.add_argument("--trace", action="store_true",
                        help="with --failures: each failed conversation turn by turn")
    args = parser.parse_args(argv)
    paths = args.sets or sorted(SETS.glob("round*.yml"))
    if not paths:
        print("no sets found", file=sys.stderr)
        return 2

    recogniser = Recogniser()
    args.out.mkdir(parents=True, exist_ok=True)
    report: List[str] = []
    all_results: Dict[str, List[Dict]] = {}
    with servers() as client:
        for path in paths:
            messages, conversations = load_sets([path])
            results = run(client, messages, conversations, recogniser)
            report.append(markdown(summarise(results), path.stem))
            all_results[path.stem] = [r.__dict__ for r in results]
            if args.failures:
                print_failures(results, messages, conversations, args.trace)
    text = "\n".join(report)
    first_sight = SETS / "first_sight.md"
    if not args.sets and first_sight.exists():
        print(first_sight.read_text(encoding="utf-8"))
        print("## Now (regression: these rounds are no longer held out)\n")
    print(text)
    (args.out / "summary.md").write_text(text, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(all_results, indent=1, ensure_ascii=False),
                                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
