"""`make eval`: NLU quality of Meldwijzer's pipeline next to Rasa's default pipeline.

  .venv/bin/python -m bench.eval_nlu [--folds 5] [--skip-cv] [--cv-default]

Two configurations on the same NLU data (data/nlu + the FAQ responses in data/meldcode/faq):
ours (config.yml; on the held-out set the trained models/meldwijzer.tar.gz is tested, never
retrained) and Rasa's default (bench/default_nlu_config.yml: what `rasa init` gives, no pipeline,
so Rasa auto-configures it from its packaged default_config.yml; an NLU-only model is trained here).
For each it measures:

* held-out set tests/nlu (`rasa test nlu`): intent macro-F1, accuracy, weighted F1, FAQ answers;
* k-fold cross-validation on the training data (`rasa test nlu --cross-validation`; with
  --cv-default for both configs, on the same folds): intent macro-F1 per fold (mean and sd)
  and pooled over the folds;
* the safety net on tests/safety (in-process parses): recall on acute messages, false-alarm rate on
  calm ones and on the held-out examples of the other intents;
* the confusions that matter: the most frequent pairs, and every confusion into or out of
  acute_danger or touching a form answer (affirm, deny, doubt, dont_know).

Results go to .build/eval/ (git-ignored): Rasa's reports per phase, the logs, summary.md and
summary.json; the table is printed too. Slow on 2 cores: Rasa's default pipeline (DIET with two
transformer layers on an unbounded char n-gram vocabulary) trained at ~30 s an epoch, 100 epochs,
so its one model takes well over an hour; our 5 folds ~15 min. The default pipeline is
cross-validated only with --cv-default (5 more such trainings).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEFAULT_CONFIG = ROOT / "bench" / "default_nlu_config.yml"
ACUTE = "acute_danger"
FAQ = "faq"
# The typed answers of the guided route (actions/meldcode_route.answer_from_intent).
FORM_ANSWERS = ("affirm", "deny", "doubt", "dont_know")
# StratifiedKFold(shuffle=True) in rasa.nlu.test.generate_folds draws from numpy's global RNG:
# seeding it gives both configurations the same folds, run after run.
FOLD_SEED = 42
WORKER = "_rasa-worker"
MODELS = {"ours": "Meldwijzer", "default": "Rasa default"}

# Set for this process and the Rasa runs it starts: the Makefile's settings, plus two.
RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONPATH": str(ROOT),  # bot.safety_net.SafetyNet is a custom component
    "TQDM_MININTERVAL": "60",  # Rasa's progress bars: one line a minute in the logs
    # No training cache: each training is timed in full, and the throwaway CV models do not
    # push `make train`'s components out of .rasa/cache (1000 MB, least recently used first).
    "RASA_MAX_CACHE_SIZE": "0",
}

Record = Tuple[str, str, str]  # text, true label, predicted label


class EvalError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[eval] {message}", file=sys.stderr, flush=True)


def in_project(path: Path) -> Path:
    """Paths on the command line are relative to the project root."""
    return path if path.is_absolute() else ROOT / path


def shown(path: Any) -> str:
    return str(path).replace(str(ROOT) + "/", "")


# ---------------------------------------------------------------------------------------------
# Running Rasa
# ---------------------------------------------------------------------------------------------

def run(cmd: Sequence[str], log_file: Path) -> float:
    """Runs a command from the project root with its output in log_file; returns seconds."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    command = shown(" ".join(map(str, cmd)))
    log(f"$ {command}")
    start = time.monotonic()
    with open(log_file, "w", encoding="utf-8") as out:
        out.write(f"$ {command}\n")
        out.flush()
        code = subprocess.run(list(map(str, cmd)), cwd=ROOT, stdout=out,
                              stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    if code != 0:
        lines = log_file.read_text(encoding="utf-8", errors="replace").replace("\r", "\n").splitlines()
        tail = "\n".join(lines[-30:])
        raise EvalError(f"exit code {code} after {seconds:.0f} s: {command}\n"
                        f"last lines of {log_file}:\n{tail}")
    log(f"  done in {seconds:.0f} s (log: {shown(log_file)})")
    return seconds


def rasa_cmd(record: Path, *args: Any) -> List[str]:
    """`rasa <args>`, run by this module's worker (see rasa_worker), which writes `record`."""
    return [sys.executable, "-m", "bench.eval_nlu", WORKER, str(record), str(FOLD_SEED), *map(str, args)]


def rasa_worker(record: str, seed: str, rasa_args: List[str]) -> None:
    """Runs the rasa CLI (`rasa <rasa_args>`) in this process, with a seed and small hooks.

    * numpy's global RNG is seeded, so both configurations get the same CV folds;
    * entities without a position (the SafetyNet's `danger_kind`) are left out of the entity
      evaluation, like Rasa's pretrained extractors: Rasa's alignment needs start and end and
      crashes without them (KeyError: 'start');
    * recorded, results unchanged: the auto-configured pipeline, the time of each train_nlu,
      and the predictions on each CV test fold (so that macro-F1 can be computed per fold).
    """
    import inspect

    import numpy as np
    import rasa.model_training
    import rasa.nlu.test
    from rasa.__main__ import main as rasa_main
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    np.random.seed(int(seed))
    out = open(record, "w", encoding="utf-8")

    def emit(**event: Any) -> None:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
        out.flush()

    auto_configure = DefaultV1Recipe.auto_configure

    def recording_auto_configure(*args: Any, **kwargs: Any):
        config, missing, configured = auto_configure(*args, **kwargs)
        emit(event="config", pipeline=config.get("pipeline"), autoconfigured=sorted(configured))
        return config, missing, configured

    DefaultV1Recipe.auto_configure = staticmethod(recording_auto_configure)

    train_nlu = rasa.model_training.train_nlu

    def recording_train_nlu(*args: Any, **kwargs: Any):
        start = time.monotonic()
        model = train_nlu(*args, **kwargs)
        emit(event="train", seconds=time.monotonic() - start, model=model)
        return model

    rasa.model_training.train_nlu = recording_train_nlu

    combine_result = rasa.nlu.test.combine_result
    signature = inspect.signature(combine_result)

    async def recording_combine_result(*args: Any, **kwargs: Any):
        bound = signature.bind(*args, **kwargs).arguments
        intents, responses = bound.get("intent_results"), bound.get("response_selection_results")
        if intents is None:  # cross_validate's call on the training part of a fold
            return await combine_result(*args, **kwargs)
        seen_intents, seen_responses = len(intents), len(responses or [])
        result = await combine_result(*args, **kwargs)
        emit(event="fold",
             intent=[[r.message, r.intent_target, r.intent_prediction]
                     for r in intents[seen_intents:]],
             response=[[r.message, r.intent_response_key_target, r.intent_response_key_prediction]
                       for r in (responses or [])[seen_responses:]])
        return result

    rasa.nlu.test.combine_result = recording_combine_result

    remove_entities = rasa.nlu.test._remove_entities_of_extractors

    def remove_unevaluable_entities(parse: Dict[str, Any], extractor_names: Any) -> None:
        remove_entities(parse, extractor_names)
        if parse.get("entities"):
            parse["entities"] = [e for e in parse["entities"] if "start" in e and "end" in e]

    rasa.nlu.test._remove_entities_of_extractors = remove_unevaluable_entities

    sys.argv = ["rasa", *rasa_args]
    rasa_main()


def read_record(path: Path) -> List[Dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def gather_training_data(sources: Sequence[Path], dest: Path) -> Path:
    """One folder with every YAML file of the sources: `rasa train nlu` and `rasa test nlu` take
    one --nlu path, and the retrieval intents need the FAQ responses next to the examples."""
    shutil.rmtree(dest, ignore_errors=True)
    for index, source in enumerate(map(in_project, sources)):
        if not source.exists():
            raise EvalError(f"training data not found: {source}")
        target = dest / f"{index}-{source.name}"
        files = {target: source} if source.is_file() else {
            target / path.relative_to(source): path
            for path in source.rglob("*") if path.suffix in (".yml", ".yaml")}
        for copy, original in files.items():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, copy)
    return dest


def count_training_examples(data_dir: Path) -> int:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(training_data_paths=[str(data_dir)])
    return len(importer.get_nlu_data().intent_examples)


def load_safety_sets(folder: Path) -> Tuple[List[str], List[str]]:
    """(acute texts, calm texts) from every YAML file in tests/safety (keys acute, non_acute)."""
    acute, calm = [], []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        acute += [item["text"] for item in data.get("acute", [])]
        calm += [item["text"] for item in data.get("non_acute", [])]
    if not acute or not calm:
        raise EvalError(f"no acute or no non_acute texts in {folder}")
    return acute, calm


def form_diverting_intents(domain: Path) -> List[str]:
    """Intents that take a message away from the route form (domain: route_answer not_intent)."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    mappings = ((data.get("slots") or {}).get("route_answer") or {}).get("mappings") or []
    return sorted({i for m in mappings for i in (m.get("not_intent") or [])} - {ACUTE})


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------

def intent_scores(records: Sequence[Record]) -> Dict[str, float]:
    """Rasa's definitions: averages over the true labels only (rasa.model_testing)."""
    from sklearn import metrics

    true = [t for _, t, _ in records]
    pred = [p if p is not None else "None" for _, _, p in records]
    labels = sorted(set(true))
    return {
        "macro_f1": float(metrics.f1_score(true, pred, labels=labels, average="macro")),
        "weighted_f1": float(metrics.f1_score(true, pred, labels=labels, average="weighted")),
        "accuracy": float(metrics.accuracy_score(true, pred)),
    }


def faq_answer_accuracy(intents: Sequence[Record], responses: Sequence[Record]) -> Optional[float]:
    """Share of FAQ questions that get the right answer: intent `faq` AND the right response
    key (as tests/test_nlu_heldout.py counts it; Rasa's response report ignores the intent)."""
    predicted_intent = {text: pred for text, _, pred in intents}
    targets = [(text, key, pred) for text, key, pred in responses if key]
    if not targets:
        return None
    right = sum(1 for text, key, pred in targets if predicted_intent.get(text) == FAQ and pred == key)
    return right / len(targets)


def confusions(records: Sequence[Record], diverting: Sequence[str], top: int = 10) -> Dict[str, Any]:
    """The most frequent confusion pairs, and those that change what the conversation does."""
    errors = [(text, t, p) for text, t, p in records if t != p]
    pairs = Counter((t, p) for _, t, p in errors)

    def listed(keep) -> List[Dict[str, str]]:
        return [{"text": text, "true": t, "predicted": p} for text, t, p in errors if keep(t, p)]

    return {
        "errors": len(errors),
        "top": [{"true": t, "predicted": p, "count": n} for (t, p), n in pairs.most_common(top)],
        "acute_danger": listed(lambda t, p: ACUTE in (t, p)),
        "among_form_answers": listed(lambda t, p: t in FORM_ANSWERS and p in FORM_ANSWERS),
        "form_answer_diverted": listed(
            lambda t, p: (t in FORM_ANSWERS and (p in diverting or p == "nlu_fallback"))
            or (p in FORM_ANSWERS and t in diverting)),
    }


def false_alarms(intents: Sequence[Record]) -> Dict[str, Any]:
    others = [(text, p) for text, t, p in intents if t != ACUTE]
    alarms = [text for text, p in others if p == ACUTE]
    return {"rate": len(alarms) / len(others) if others else None, "n": len(others),
            "texts": alarms}


def read_rasa_results(folder: Path) -> Dict[str, Any]:
    """Rasa's reports and every prediction (needs --successes) from a `rasa test nlu` folder."""
    def load(name: str) -> Any:
        path = folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    report = load("intent_report.json")
    if report is None:
        raise EvalError(f"Rasa wrote no intent_report.json in {folder}")
    intents = [(r["text"], r["intent"], r["intent_prediction"]["name"])
               for name in ("intent_successes.json", "intent_errors.json") for r in load(name) or []]
    responses = [(r["text"], r["intent_response_key_target"], r["intent_response_key_prediction"]["name"])
                 for name in ("response_selection_successes.json", "response_selection_errors.json")
                 for r in load(name) or []]
    return {"report": report, "response_report": load("response_selection_report.json"),
            "intents": intents, "responses": responses}


def summarise_predictions(results: Dict[str, Any], diverting: Sequence[str]) -> Dict[str, Any]:
    report, response_report = results["report"], results["response_report"]
    own = intent_scores(results["intents"])
    rasa_macro = report["macro avg"]["f1-score"]
    if abs(own["macro_f1"] - rasa_macro) > 1e-6:
        log(f"warning: macro-F1 from the predictions ({own['macro_f1']:.4f}) differs from "
            f"Rasa's report ({rasa_macro:.4f})")
    return {
        "examples": len(results["intents"]),
        "intent_macro_f1": rasa_macro,
        "intent_weighted_f1": report["weighted avg"]["f1-score"],
        "intent_accuracy": report.get("accuracy", own["accuracy"]),
        "faq_examples": sum(1 for _, key, _ in results["responses"] if key),
        "faq_answer_accuracy": faq_answer_accuracy(results["intents"], results["responses"]),
        "response_selector_accuracy": (response_report or {}).get("accuracy"),
        "confusions": confusions(results["intents"], diverting),
        "per_intent_f1": {k: v["f1-score"] for k, v in report.items()
                          if isinstance(v, dict) and "support" in v and not k.endswith(" avg")},
    }


def summarise_folds(record: List[Dict[str, Any]]) -> Dict[str, Any]:
    folds = [e for e in record if e["event"] == "fold"]
    trainings = [e["seconds"] for e in record if e["event"] == "train"]
    per_fold = [{**intent_scores([tuple(r) for r in f["intent"]]),
                 "faq_answer_accuracy": faq_answer_accuracy([tuple(r) for r in f["intent"]],
                                                            [tuple(r) for r in f["response"]]),
                 "examples": len(f["intent"])} for f in folds]
    macro = [f["macro_f1"] for f in per_fold]
    return {
        "folds": per_fold,
        "macro_f1_mean": statistics.mean(macro) if macro else None,
        "macro_f1_sd": statistics.stdev(macro) if len(macro) > 1 else None,
        "train_seconds": trainings,
        "fold_test_sets": [sorted(r[0] for r in f["intent"]) for f in folds],
    }


# ---------------------------------------------------------------------------------------------
# In-process parses: the safety sets and the held-out set as the bot serves them
# ---------------------------------------------------------------------------------------------

def quiet_rasa() -> None:
    """Keeps this process's output to the summary: Rasa's imports switch warnings back on, and
    its structlog prints every parse to stdout unless configured. The Rasa runs keep theirs."""
    import logging

    import structlog

    with contextlib.redirect_stderr(io.StringIO()):
        import rasa.core.agent  # noqa: F401  (the heavy imports, which reset the warning filters)
    warnings.simplefilter("ignore")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                        logger_factory=structlog.PrintLoggerFactory(sys.stderr))


def parse_in_process(model: Path, texts: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """text -> Rasa's parse data (Agent.load + parse_message, as tests/conftest.py does)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    try:
        return {text: loop.run_until_complete(agent.parse_message(text)) for text in dict.fromkeys(texts)}
    finally:
        loop.close()


def safety_outcomes(parses: Dict[str, Dict[str, Any]], acute: List[str], calm: List[str]) -> Dict[str, Any]:
    """As tests/test_safety_net_model.py: recall on acute texts, false alarms on calm ones."""
    def intent(text: str) -> str:
        return parses[text]["intent"]["name"]

    missed = [t for t in acute if intent(t) != ACUTE]
    alarms = [t for t in calm if intent(t) == ACUTE]
    has_rules = any("safety_net" in parses[t] for t in acute + calm)
    by_rules = sum(1 for t in acute if (parses[t].get("safety_net") or {}).get("fired"))
    return {
        "acute_total": len(acute),
        "recall": 1 - len(missed) / len(acute),
        "recall_rules_alone": by_rules / len(acute) if has_rules else None,
        "calm_total": len(calm),
        "false_alarm_rate": len(alarms) / len(calm),
        "missed": missed,
        "false_alarms": alarms,
    }


def served_outcomes(parses: Dict[str, Dict[str, Any]], heldout: Sequence[Record]) -> Dict[str, Any]:
    """The held-out set as the bot sees it: `rasa test nlu` scores the classifier's intent
    under an nlu_fallback; here, as in tests/test_nlu_heldout.py, nlu_fallback is an error."""
    records = [(text, true, parses[text]["intent"]["name"]) for text, true, _ in heldout]
    return {**intent_scores(records),
            "fallback_rate": sum(1 for *_, p in records if p == "nlu_fallback") / len(records),
            "false_alarms": false_alarms(records)}


def resolved_default_pipeline(config_file: Path) -> List[Dict[str, Any]]:
    """The pipeline Rasa's auto-configuration gives this config (read from the installed package)."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.utils.io import read_config_file

    return DefaultV1Recipe.complete_config(read_config_file(str(config_file)), {"pipeline"})["pipeline"]


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def num(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def secs(x: Optional[float]) -> str:
    if x is None:
        return "n/a"
    return f"{x:.0f} s" if x < 120 else f"{x / 60:.1f} min"


def pipeline_line(pipeline: Sequence[Dict[str, Any]]) -> str:
    def one(component: Dict[str, Any]) -> str:
        options = ", ".join(f"{k}={v}" for k, v in component.items() if k != "name")
        return f"{component['name']}({options})" if options else component["name"]
    return ", ".join(one(c) for c in pipeline)


def render(summary: Dict[str, Any]) -> str:
    res = summary["results"]
    models = list(MODELS)

    def get(model: str, *path: str) -> Any:
        value: Any = res.get(model, {})
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    rows: List[Tuple[str, List[str]]] = []

    def cell(model: str, fmt, *path: str) -> str:
        if path[0] == "cv" and get(model, "cv") is None:
            return "not run"
        return fmt(get(model, *path))

    def row(label: str, fmt, *path: str) -> None:
        rows.append((label, [cell(m, fmt, *path) for m in models]))

    counts = summary["counts"]
    row(f"Held-out intent macro-F1 (n={counts['heldout_examples']}; Rasa's report)", num,
        "heldout", "intent_macro_f1")
    row("Held-out intent accuracy", num, "heldout", "intent_accuracy")
    row("Held-out intent weighted F1", num, "heldout", "intent_weighted_f1")
    row("Held-out intent macro-F1 as served (nlu_fallback is an error)", num, "served", "macro_f1")
    row("Held-out share of nlu_fallback as served", pct, "served", "fallback_rate")
    row(f"Held-out FAQ answer accuracy: intent faq and right answer (n={counts['heldout_faq_examples']})",
        pct, "heldout", "faq_answer_accuracy")
    row("Held-out response selector accuracy (Rasa's report)", pct, "heldout", "response_selector_accuracy")
    if summary["folds"]:
        rows.append((f"CV intent macro-F1, {summary['folds']} folds: mean ± sd",
                     [cell(m, lambda cv: f"{num(cv['macro_f1_mean'])} ± {num(cv['macro_f1_sd'])}", "cv")
                      for m in models]))
        row("CV intent macro-F1, pooled folds (Rasa's report)", num, "cv", "intent_macro_f1")
        row("CV intent accuracy, pooled folds", num, "cv", "intent_accuracy")
        row("CV FAQ answer accuracy, pooled folds", pct, "cv", "faq_answer_accuracy")
    row(f"Safety net recall (n={counts['acute']} acute)", pct, "safety", "recall")
    row("Safety net recall of the rule layer alone", pct, "safety", "recall_rules_alone")
    row(f"False-alarm rate, calm set (n={counts['calm']})", pct, "safety", "false_alarm_rate")
    others = get("ours", "served", "false_alarms", "n")
    row(f"False-alarm rate, held-out other intents as served (n={others})", pct, "served", "false_alarms", "rate")
    rows.append(("NLU training time, all training data",
                 ["not retrained", secs(get("default", "train_seconds"))]))
    if summary["folds"]:
        rows.append(("NLU training time per CV fold (mean)",
                     [cell(m, lambda times: secs(statistics.mean(times)) if times else "n/a",
                           "cv", "train_seconds") for m in models]))
    for phase, title in (("train", "training"), ("heldout", "rasa test nlu, held-out"),
                         ("parse", "in-process parses"), ("cv", "cross-validation")):
        values = [get(m, "phase_seconds", phase) for m in models]
        if any(v is not None for v in values):
            rows.append((f"Duration: {title}", [secs(v) for v in values]))
    rows.append(("Examples: training / held-out / CV",
                 [f"{counts['training_examples']} / {counts['heldout_examples']} / "
                  f"{get(m, 'cv', 'examples') or 'n/a'}" for m in models]))

    lines = [f"# NLU evaluation: {MODELS['ours']} vs {MODELS['default']}", "",
             f"Rasa {summary['rasa_version']}, {summary['finished']}, total {secs(summary['total_seconds'])}."
             f" Training data: {', '.join(summary['training_data'])}; held-out: {summary['heldout_data']}.",
             "", f"| Metric | {' | '.join(MODELS.values())} |", "|---|" + "---|" * len(models)]
    lines += [f"| {label} | {' | '.join(cells)} |" for label, cells in rows]
    lines += ["", "Rasa default pipeline (auto-configured by Rasa): "
              f"{pipeline_line(summary['default_pipeline'])}."]
    if summary["make_train_time"]:
        lines.append(f"Our model was not retrained; `make train` (NLU and dialogue) took "
                     f"{summary['make_train_time']}.")
    if summary.get("same_folds") is not None:
        lines.append(f"Same CV folds for both configurations: {'yes' if summary['same_folds'] else 'NO'}.")

    for model in models:
        lines += ["", f"## Confusions that matter: {MODELS[model]}"]
        for part in ("heldout", "cv"):
            conf = get(model, part, "confusions")
            if not conf:
                continue
            name = "held-out" if part == "heldout" else "CV (pooled test folds)"
            top = ", ".join(f"{c['true']} → {c['predicted']} ({c['count']})" for c in conf["top"]) or "none"
            lines += ["", f"{name}: {conf['errors']} errors. Most frequent: {top}."]
            for key, title in (("acute_danger", "into or out of acute_danger"),
                               ("among_form_answers", "among the form answers"),
                               ("form_answer_diverted", "form answer ↔ intents that leave the form")):
                items = conf[key]
                lines.append(f"- {title}: {len(items)}")
                for item in items[:15]:
                    lines.append(f"  - {item['true']} → {item['predicted']}: \"{item['text'][:90]}\"")
                if len(items) > 15:
                    lines.append(f"  - … {len(items) - 15} more in summary.json")
        safety = get(model, "safety")
        if safety:
            for key, title in (("missed", "acute messages missed"), ("false_alarms", "calm messages flagged")):
                lines.append(f"- safety net, {title}: {len(safety[key])}")
                lines += [f"  - \"{t[:90]}\"" for t in safety[key][:10]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_nlu", description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--skip-cv", action="store_true", help="held-out and safety sets only")
    parser.add_argument("--cv-default", action="store_true",
                        help="cross-validate Rasa's default pipeline too (each fold trains > 1 h on 2 cores)")
    parser.add_argument("--nlu-data", nargs="+", type=Path,
                        default=[Path("data/nlu"), Path("data/meldcode/faq")],
                        help="training data: NLU examples and FAQ responses (files or folders)")
    parser.add_argument("--test-nlu", type=Path, default=Path("tests/nlu"), help="held-out NLU set")
    parser.add_argument("--safety", type=Path, default=Path("tests/safety"), help="safety-net sets")
    parser.add_argument("--model", type=Path, default=Path("models/meldwijzer.tar.gz"),
                        help="our trained model (tested on the held-out and safety sets)")
    parser.add_argument("--config", type=Path, default=Path("config.yml"), help="our config (CV)")
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    parser.add_argument("--out", type=Path, default=Path(".build/eval"))
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    return args


def evaluate(args: argparse.Namespace) -> Dict[str, Any]:
    import rasa

    started = time.monotonic()
    out = in_project(args.out)
    for part in ("data", "logs", *MODELS):
        shutil.rmtree(out / part, ignore_errors=True)
    logs = out / "logs"
    model = in_project(args.model)
    if not model.exists():
        raise EvalError(f"no trained model at {model}: run `make train` (make eval does)")
    test_nlu, domain = in_project(args.test_nlu), in_project(args.domain)
    diverting = form_diverting_intents(domain)
    acute, calm = load_safety_sets(in_project(args.safety))
    train_data = gather_training_data(args.nlu_data, out / "data" / "train")
    default_config = out / "default" / "config.yml"
    default_config.parent.mkdir(parents=True)
    shutil.copyfile(DEFAULT_CONFIG, default_config)
    results: Dict[str, Dict[str, Any]] = {m: {"phase_seconds": {}} for m in MODELS}
    default_pipeline = resolved_default_pipeline(DEFAULT_CONFIG)

    def test_model(name: str, path: Path) -> None:
        """Held-out set with `rasa test nlu`, then the safety and held-out sets in-process."""
        folder = out / name / "heldout"
        results[name]["phase_seconds"]["heldout"] = run(rasa_cmd(
            logs / f"{name}_heldout.jsonl", "test", "nlu", "--model", path, "--nlu", test_nlu,
            "--domain", domain, "--out", folder, "--successes"), logs / f"{name}_heldout.log")
        rasa_results = read_rasa_results(folder)
        results[name]["heldout"] = summarise_predictions(rasa_results, diverting)
        log(f"in-process parses with the {MODELS[name]} model: {len(acute)} acute, {len(calm)} calm, "
            f"{len(rasa_results['intents'])} held-out")
        start = time.monotonic()
        parses = parse_in_process(path, acute + calm + [text for text, *_ in rasa_results["intents"]])
        results[name]["safety"] = safety_outcomes(parses, acute, calm)
        results[name]["served"] = served_outcomes(parses, rasa_results["intents"])
        results[name]["phase_seconds"]["parse"] = time.monotonic() - start

    def check_pipelines(record: List[Dict[str, Any]]) -> None:
        used = [e["pipeline"] for e in record if e["event"] == "config"]
        if not used or any(p != default_pipeline for p in used):
            raise EvalError(f"Rasa's default configuration was trained with an unexpected pipeline: {used}")

    # 1. Ours: the trained model (fast; fails early if something is wrong).
    test_model("ours", model)

    # 2. Rasa's default pipeline: one NLU-only model on all the training data, then the same tests.
    record = logs / "default_train.jsonl"
    results["default"]["phase_seconds"]["train"] = run(rasa_cmd(
        record, "train", "nlu", "--config", default_config, "--nlu", train_data, "--domain", domain,
        "--out", out / "default" / "model", "--fixed-model-name", "default"), logs / "default_train.log")
    trained = read_record(record)
    check_pipelines(trained)
    results["default"]["train_seconds"] = next(e["seconds"] for e in trained if e["event"] == "train")
    test_model("default", out / "default" / "model" / "default.tar.gz")

    # 3. Cross-validation on the training data, the same folds for both configurations.
    if not args.skip_cv:
        configs = {"ours": in_project(args.config)}
        if args.cv_default:
            configs["default"] = default_config
        for name, config in configs.items():
            folder, record = out / name / "cv", logs / f"{name}_cv.jsonl"
            results[name]["phase_seconds"]["cv"] = run(rasa_cmd(
                record, "test", "nlu", "--cross-validation", "--folds", args.folds, "--config", config,
                "--nlu", train_data, "--domain", domain, "--out", folder, "--successes"),
                logs / f"{name}_cv.log")
            events = read_record(record)
            if name == "default":
                check_pipelines(events)
            folds = summarise_folds(events)
            if len(folds["folds"]) != args.folds:
                raise EvalError(f"expected {args.folds} folds in {record}, found {len(folds['folds'])}")
            pooled = summarise_predictions(read_rasa_results(folder), diverting)
            results[name]["cv"] = {**pooled, **folds}

    same_folds = None
    if not args.skip_cv and args.cv_default:
        same_folds = results["ours"]["cv"]["fold_test_sets"] == results["default"]["cv"]["fold_test_sets"]
    for name in MODELS:
        results[name].get("cv", {}).pop("fold_test_sets", None)
    train_time = ROOT / ".build" / "train_time.txt"
    return {
        "rasa_version": rasa.__version__,
        "finished": time.strftime("%Y-%m-%d %H:%M"),
        "total_seconds": time.monotonic() - started,
        "folds": None if args.skip_cv else args.folds,
        "same_folds": same_folds,
        "training_data": [str(p) for p in args.nlu_data],
        "heldout_data": str(args.test_nlu),
        "default_pipeline": default_pipeline,
        "make_train_time": train_time.read_text().strip().replace("Training took ", "")
        if train_time.exists() else None,
        "counts": {
            "training_examples": count_training_examples(train_data),
            "heldout_examples": results["ours"]["heldout"]["examples"],
            "heldout_faq_examples": results["ours"]["heldout"]["faq_examples"],
            "acute": len(acute),
            "calm": len(calm),
        },
        "results": results,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [WORKER]:
        rasa_worker(argv[1], argv[2], argv[3:])
        return 0
    args = parse_args(argv)
    os.environ.update(RASA_ENV)
    quiet_rasa()
    try:
        summary = evaluate(args)
    except EvalError as error:
        log(f"failed: {error}")
        return 1
    out = in_project(args.out)
    text = render(summary)
    (out / "summary.md").write_text(text, encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text)
    log(f"written: {out / 'summary.md'}, {out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
