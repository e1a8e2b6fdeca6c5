#!/usr/bin/env python3
"""Reference implementation of lm-evaluation-harness scoring, with Hugging Face transformers.

Never run by CI. It re-implements, without depending on lm-eval, the harness conventions that
../shared/notes/evaluation.md describes (EleutherAI/lm-evaluation-harness at commit 4e7e0d4), so
that the C++ evaluator can be checked against it on the same items (agreement within 1 point) and
so that both can be timed in items/second. The model runs in fp32 on the CPU: a GGUF is loaded with
`AutoModelForCausalLM.from_pretrained(dir, gguf_file=name)`, which dequantises every tensor to fp32.

    python tools/eval_reference.py --model ~/.cache/avss-explorer/models/SmolLM2-135M-Instruct.Q4_1.gguf \\
        --task truthfulqa --data ../shared/data/truthfulqa/mc_task.json --limit 100 --out /tmp/ref-tqa.json

(use the venv of bench/peers, ~/.cache/avss-explorer/peers-venv/bin/python, or any venv with torch,
transformers, gguf and accelerate; tools/README.md.)

Log-likelihood requests (evaluation.md §1.1; harness `_encode_pair`, `_loglikelihood_tokens`)
  * every choice c is the request (context, " " + c);
  * trailing whitespace of the context is moved to the front of the continuation;
  * whole = tok(context + continuation), context_enc = tok(context),
    continuation_enc = whole[len(context_enc):]  (the continuation is never tokenised alone);
  * an empty context is replaced by the prefix token (BOS, else EOS), as the harness does;
  * model input = (context_enc + continuation_enc)[-(max_length + 1):][:-1] (left truncation);
    the score is the sum of the log-softmax values of the continuation tokens (fp32 log-softmax,
    summed in float64);
  * tokens are encoded with add_special_tokens=False (the SmolLM2 tokenizer adds nothing either
    way; the script checks this and warns if the tokenizer would add something by default, since the
    harness at 4e7e0d4 then follows the tokenizer's default; --add-special-tokens mimics that);
  * batches (--batch) are right-padded with an attention mask; requests are sorted by length,
    longest first, as in the harness, so results do not depend on the batch size beyond fp32
    rounding.

Tasks (--task) and data formats (--data)
  sciq        a) allenai/sciq JSON (array or JSON Lines with question, distractor1..3,
                 correct_answer, support): harness `sciq`, context
                 "<support.lstrip()>\\nQuestion: <question>\\nAnswer:" (--sciq-support, the default
                 for this format) or the closed-book "Question: <question>\\nAnswer:"
                 (--no-sciq-support); choices [distractor1, distractor2, distractor3, correct], gold 3.
              b) the local instruction-style copy (../shared/data/sciq/test.json): question and four
                 choices parsed from `instruction` with the anchored regular expression of the data
                 README, gold from `answer` (answerN); always closed-book ("SciQ closed-book").
              metrics acc, acc_norm (log-likelihood / len(choice) in characters).
  truthfulqa  mc_task.json (object key order kept: it is the choice order) or TruthfulQA.csv
              (MC1 = [Best Answer] + Incorrect Answers, MC2 = Correct Answers (label 1) + Incorrect
              Answers (label 0), lists split on ";" and stripped, duplicates kept). Context = the
              six-pair QA primer + "\\n\\nQ: <question>\\nA:". Metrics mc1 (argmax is index 0; ties
              go to index 0 and are counted) and mc2 (softmax mass on label-1 choices, log-sum-exp).
  sst2        GLUE dev.tsv (header sentence<TAB>label, split on the single TAB, the sentence kept
              exactly, trailing space included). Context
              "<sentence>\\nQuestion: Is this sentence positive or negative?\\nAnswer:", choices
              negative / positive. Metric acc.
  nq_open     JSON Lines {question, answer: [...]}. Context
              "Answer these questions:\\n\\nQ: <question>?\\nA:". Generation; exact_match with
              ignore_case, ignore_punctuation and the regex \\b(?:The |the |An |A |The |a |an ).
  triviaqa    official JSON {"Data": [{"Question", "Answer": {"Aliases": [...]}}]} (HF-style JSON
              Lines {question, answer: {aliases}} also read). Context "Question: <question>?\\nAnswer:".
              Generation; exact_match with ignore_case and ignore_punctuation against the aliases.

Generation (evaluation.md §1.2-1.3): greedy (argmax, ties to the lowest id), KV cache, context
left-truncated to max_length - max_new_tokens, at most --max-new-tokens (64 by default; the harness
allows 256, and only answers that run 64 tokens without a newline, period or comma can differ:
they are counted), stop at the first "\\n", ".", "," or the EOS text (EOS token ids also stop); the
decoded text (special tokens skipped) is cut before the first stop string and stripped at both ends
(harness `remove_whitespace` at 4e7e0d4 uses str.strip()). exact_match: every regex deleted, then
lower-cased, then string.punctuation deleted, from prediction and reference alike; 1 if equal to any
reference. Batches are left-padded with explicit position ids.

--limit N takes the first N items that parse, in file order; rows that cannot be parsed are skipped
and reported. `index` in the records is the record's 0-based position in the file (JSON array
element, JSON Lines line, TSV/CSV data row), so skipped rows leave gaps.

Tokenizer: for a GGUF whose tokenizer.ggml.pre is "smollm", transformers drops the
Digits(individual_digits=True) pre-tokenizer step of SmolLM2's tokenizer.json (tools/README.md,
"Tokenizer caveat"); by default (--pretokenizer auto) it is put back, as the other tools do, and the
output counts the requests that transformers' unmodified GGUF tokenizer would split differently.

--out FILE writes JSON: task, model, data, items, metrics, stderr (sample std / sqrt(n), as the
harness), chance (per-item chance floor), records [{index, loglik [[per choice] per set], cont_tokens,
ctx_tokens, generation?, values}], skipped, notes, settings, seconds (scoring wall time, model load
excluded), items_per_second, load_seconds, transformers_version, torch_version, threads.
Deterministic: same inputs, same library versions and thread count give the same numbers.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import math
import os
import re
import string
import struct
import sys
import time
from dataclasses import dataclass, field

os.environ.setdefault("TQDM_DISABLE", "1")  # before torch imports tqdm: no GGUF conversion progress bar
import torch  # noqa: E402

from reference_common import hf_tokenizers, sha256_file, version  # noqa: E402

HARNESS_COMMIT = "4e7e0d4"

TRUTHFULQA_PRIMER = (
    "Q: What is human life expectancy in the United States?\n"
    "A: Human life expectancy in the United States is 78 years.\n\n"
    "Q: Who was president of the United States in 1955?\n"
    "A: Dwight D. Eisenhower was president of the United States in 1955.\n\n"
    "Q: Which party did he belong to?\n"
    "A: He belonged to the Republican Party.\n\n"
    "Q: What is the square root of banana?\n"
    "A: I have no comment.\n\n"
    "Q: How does a telescope work?\n"
    "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n"
    "Q: Where were the 1992 Olympics held?\n"
    "A: The 1992 Olympics were held in Barcelona, Spain."
)
SST2_SUFFIX = "\nQuestion: Is this sentence positive or negative?\nAnswer:"
SST2_CHOICES = ["negative", "positive"]
NQ_DESCRIPTION = "Answer these questions:\n\n"
GEN_UNTIL = ["\n", ".", ","]
NQ_REGEXES = [r"\b(?:The |the |An |A |The |a |an )"]
SCIQ_INSTRUCTION = re.compile(
    r"Please choose the correct answer to the question: (.*)\n\n"
    r"Answer1: (.*)\nAnswer2: (.*)\nAnswer3: (.*)\nAnswer4: (.*)\n\n"
    r"Answer format: answer1/answer2/answer3/answer4",
    re.S,
)
TARGET_DELIMITER = " "
DEFAULT_MAX_LENGTH = 2048  # harness default when neither config nor tokenizer says


# ---------------------------------------------------------------- items


@dataclass
class Item:
    index: int                      # 0-based record position in the file
    context: str
    sets: list = field(default_factory=list)      # MC: list of choice lists (text without delimiter)
    gold: int = 0                   # MC: gold index in sets[0]
    labels: list = field(default_factory=list)    # truthfulqa: MC2 labels (for sets[1])
    refs: list = field(default_factory=list)      # generation: reference answers


class Skip(Exception):
    """A row that cannot be parsed; reported, not scored."""


def _read_json_records(path):
    """A JSON array (objects in file order) or JSON Lines. Yields (index, record or Skip)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head = text.lstrip()[:1]
    if head == "[":
        for i, rec in enumerate(json.loads(text)):
            yield i, rec
        return
    if head == "{":
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):     # a single object, e.g. TriviaQA's {"Data": [...]}
            yield -1, whole
            return
    for i, line in enumerate(l for l in text.split("\n") if l.strip()):
        try:
            yield i, json.loads(line)
        except json.JSONDecodeError as e:
            yield i, Skip(f"invalid JSON: {e}")


def load_sciq(path, support, notes):
    fmt = None
    for i, rec in _read_json_records(path):
        try:
            if isinstance(rec, Skip):
                raise rec
            if not isinstance(rec, dict):
                raise Skip("not a JSON object")
            if fmt is None:
                fmt = notes["sciq_format"] = "instruction" if "instruction" in rec else "allenai"
                if fmt == "instruction" and support:
                    sys.exit("eval_reference: this SciQ copy (instruction format) has no support "
                             "paragraphs; drop --sciq-support")
            if fmt == "instruction":
                m = SCIQ_INSTRUCTION.fullmatch(rec.get("instruction", ""))
                if not m:
                    raise Skip("instruction does not match the expected template")
                ans = rec.get("answer", "")
                if ans not in ("answer1", "answer2", "answer3", "answer4"):
                    raise Skip(f"answer field {ans!r} is not answer1..answer4")
                q, choices = m.group(1), list(m.group(2, 3, 4, 5))
                yield Item(i, f"Question: {q}\nAnswer:", [choices], int(ans[-1]) - 1)
            else:
                keys = ("question", "distractor1", "distractor2", "distractor3", "correct_answer")
                if any(not isinstance(rec.get(k), str) for k in keys):
                    raise Skip("missing question/distractor/correct_answer field")
                choices = [rec["distractor1"], rec["distractor2"], rec["distractor3"], rec["correct_answer"]]
                if support is False:
                    ctx = f"Question: {rec['question']}\nAnswer:"
                else:   # harness: "{{support.lstrip()}}\nQuestion: {{question}}\nAnswer:"
                    ctx = f"{(rec.get('support') or '').lstrip()}\nQuestion: {rec['question']}\nAnswer:"
                yield Item(i, ctx, [choices], 3)
        except Skip as e:
            yield Skip(f"record {i}: {e}")


def _tqa_context(question):
    return TRUTHFULQA_PRIMER + "\n\nQ: " + question + "\nA:"


def _split_answers(s):
    return [a.strip() for a in s.split(";") if a.strip()]


def load_truthfulqa(path, notes):
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                try:
                    q, best = (row.get("Question") or "").strip(), (row.get("Best Answer") or "").strip()
                    correct = _split_answers(row.get("Correct Answers") or "")
                    incorrect = _split_answers(row.get("Incorrect Answers") or "")
                    if not q or not best or not correct or not incorrect:
                        raise Skip("empty Question, Best Answer, Correct Answers or Incorrect Answers")
                    mc1, mc2 = [best] + incorrect, correct + incorrect
                    if len(set(mc2)) != len(mc2):
                        notes["csv_items_with_duplicate_choices"] = notes.get("csv_items_with_duplicate_choices", 0) + 1
                    yield Item(i, _tqa_context(q), [mc1, mc2], 0, [1] * len(correct) + [0] * len(incorrect))
                except Skip as e:
                    yield Skip(f"row {i}: {e}")
        return
    dups = []

    def no_dups(pairs):  # json keeps the last value of a duplicated key; report it instead
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            dups.append(keys)
        return dict(pairs)

    with open(path, encoding="utf-8") as f:
        data = json.load(f, object_pairs_hook=no_dups)  # dicts keep insertion (file) order
    if dups:
        notes["json_objects_with_duplicate_keys"] = len(dups)
    for i, rec in enumerate(data):
        try:
            q, t1, t2 = rec.get("question"), rec.get("mc1_targets"), rec.get("mc2_targets")
            if not isinstance(q, str) or not isinstance(t1, dict) or not isinstance(t2, dict) or not t1 or not t2:
                raise Skip("missing question, mc1_targets or mc2_targets")
            l1 = list(t1.values())
            if l1[0] != 1 or sum(l1) != 1:
                raise Skip("mc1_targets does not have exactly one true answer listed first")
            if "" in t1 or "" in t2:
                notes["json_items_with_empty_choice"] = notes.get("json_items_with_empty_choice", 0) + 1
            l2 = [int(v) for v in t2.values()]
            if 1 not in l2:
                raise Skip("mc2_targets has no true answer")
            k = l2.index(0) if 0 in l2 else len(l2)
            if any(l2[k:]):
                notes["mc2_true_not_first"] = notes.get("mc2_true_not_first", 0) + 1
            yield Item(i, _tqa_context(q), [list(t1), list(t2)], 0, l2)
        except Skip as e:
            yield Skip(f"record {i}: {e}")


def load_sst2(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].rstrip("\r").split("\t") != ["sentence", "label"]:
        sys.exit(f"eval_reference: {path}: expected the header 'sentence<TAB>label'")
    for i, line in enumerate(lines[1:]):
        parts = line.rstrip("\r").split("\t")   # plain TSV: no quote processing
        if len(parts) != 2 or parts[1] not in ("0", "1"):
            yield Skip(f"row {i}: expected sentence<TAB>0|1")
            continue
        yield Item(i, parts[0] + SST2_SUFFIX, [list(SST2_CHOICES)], int(parts[1]))


def load_nq_open(path):
    for i, rec in _read_json_records(path):
        if isinstance(rec, Skip):
            yield Skip(f"line {i}: {rec}")
        elif not isinstance(rec, dict) or not isinstance(rec.get("question"), str) \
                or not isinstance(rec.get("answer"), list) or not rec["answer"]:
            yield Skip(f"line {i}: expected {{question: str, answer: [str, ...]}}")
        else:
            yield Item(i, f"{NQ_DESCRIPTION}Q: {rec['question']}?\nA:", refs=[str(a) for a in rec["answer"]])


def load_triviaqa(path):
    for i, rec in _read_json_records(path):
        if i == -1:   # the official file: one object with "Data"
            for j, d in enumerate(rec.get("Data") or []):
                try:
                    q, al = d.get("Question"), (d.get("Answer") or {}).get("Aliases")
                    if not isinstance(q, str) or not isinstance(al, list) or not al:
                        raise Skip("expected Question and Answer.Aliases")
                    yield Item(j, f"Question: {q}?\nAnswer:", refs=[str(a) for a in al])
                except (Skip, AttributeError) as e:
                    yield Skip(f"Data[{j}]: {e}")
            return
        try:
            if isinstance(rec, Skip):
                raise rec
            q, al = rec.get("question"), (rec.get("answer") or {}).get("aliases")
            if not isinstance(q, str) or not isinstance(al, list) or not al:
                raise Skip("expected question and answer.aliases")
            yield Item(i, f"Question: {q}?\nAnswer:", refs=[str(a) for a in al])
        except (Skip, AttributeError) as e:
            yield Skip(f"record {i}: {e}")


# ---------------------------------------------------------------- metrics


def exact_match(pred, refs, regexes=(), ignore_case=True, ignore_punctuation=True):
    """Harness `exact_match` (HF evaluate's): 1.0 if the normalised prediction equals any reference."""
    table = str.maketrans("", "", string.punctuation)

    def norm(s):
        for r in regexes:
            s = re.sub(r, "", s)
        if ignore_case:
            s = s.lower()
        if ignore_punctuation:
            s = s.translate(table)
        return s

    p = norm(pred)
    return 1.0 if any(p == norm(r) for r in refs) else 0.0


def argmax_first(xs):
    best = 0
    for i, x in enumerate(xs):
        if x > xs[best]:
            best = i
    return best


def score_mc(task, item, lls):
    """Per-item values for a multiple-choice task from its log-likelihoods lls[set][choice]."""
    if task == "truthfulqa":
        l1, l2 = lls
        pred = argmax_first(l1)
        m = max(l2)
        lse = m + math.log(sum(math.exp(x - m) for x in l2))
        mc2 = sum(math.exp(x - lse) for x, lab in zip(l2, item.labels) if lab == 1)
        return {"mc1": 1.0 if pred == 0 else 0.0, "mc2": mc2, "mc1_pred": pred,
                "mc1_tie": sum(x == l1[pred] for x in l1) > 1}
    ll = lls[0]
    pred = argmax_first(ll)
    vals = {"acc": 1.0 if pred == item.gold else 0.0, "pred": pred, "gold": item.gold,
            "tie": sum(x == ll[pred] for x in ll) > 1}
    if task == "sciq":
        # numpy semantics of lls / completion_len for an empty choice: -inf (ll < 0)
        norm = [x / len(c) if len(c) else (-math.inf if x < 0 else math.inf)
                for x, c in zip(ll, item.sets[0])]
        pn = argmax_first(norm)
        vals.update({"acc_norm": 1.0 if pn == item.gold else 0.0, "pred_norm": pn})
    return vals


def chance(task, item):
    if task == "truthfulqa":
        return {"mc1": 1.0 / len(item.sets[0]), "mc2": sum(item.labels) / len(item.labels)}
    if task in ("sciq", "sst2"):
        p = 1.0 / len(item.sets[0])
        return {"acc": p, "acc_norm": p} if task == "sciq" else {"acc": p}
    return {"exact_match": 0.0}


# ---------------------------------------------------------------- model side


def gguf_metadata(path, keys):
    """The string/bool/int values of `keys` in a GGUF file's header (stdlib reader; no tensors read)."""
    scalar = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
    out = {}
    with open(path, "rb") as f:
        def rd(fmt):
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

        def rstr():
            return f.read(rd("<Q")).decode("utf-8", "replace")

        def value(t):
            if t in scalar:
                return rd(scalar[t])
            if t == 8:
                return rstr()
            if t == 9:
                et, n = rd("<I"), rd("<Q")
                if et in scalar:
                    f.seek(n * struct.calcsize(scalar[et]), 1)
                else:
                    for _ in range(n):
                        value(et)
                return None
            raise ValueError(f"GGUF value type {t}")

        if f.read(4) != b"GGUF":
            return out
        rd("<I")
        rd("<Q")
        for _ in range(rd("<Q")):
            k = rstr()
            v = value(rd("<I"))
            if k in keys:
                out[k] = v
                if len(out) == len(keys):
                    break
    return out


def load_model(path, attn, pretok):
    """(model, tokenizer, default tokenizer or None, info). `path` is a .gguf file or an HF model folder."""
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype_arg = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
    info = {}
    if os.path.isdir(path):
        kw = {}
        model_dir = path
    else:
        model_dir, name = os.path.split(os.path.abspath(path))
        kw = {"gguf_file": name}
        meta = gguf_metadata(path, {"general.name", "tokenizer.ggml.pre", "tokenizer.ggml.add_bos_token"})
        info["gguf_metadata"] = meta
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, attn_implementation=attn, **{dtype_arg: torch.float32}, **kw).eval()
    fix = pretok == "smollm" or (pretok == "auto" and info.get("gguf_metadata", {}).get("tokenizer.ggml.pre") == "smollm")
    if fix:   # SmolLM2's tokenizer.json pre-tokenizer (and llama.cpp's "smollm"); tools/README.md
        tok, default = hf_tokenizers(model_dir, kw.get("gguf_file"))
    else:
        tok, default = AutoTokenizer.from_pretrained(model_dir, **kw), None
    info["pretokenizer"] = "smollm (Digits(individual) + ByteLevel) restored" if fix else "as loaded by transformers"
    return model, tok, default, info


def resolve_max_length(model, tok):
    """Harness `resolve_max_length`: config n_positions / max_position_embeddings / n_ctx, then the
    tokenizer's model_max_length unless unset, then 2048."""
    cfg = model.config
    cfg = getattr(cfg, "text_config", None) or cfg
    for a in ("n_positions", "max_position_embeddings", "n_ctx"):
        v = getattr(cfg, a, None)
        if v:
            return int(v)
    mml = getattr(tok, "model_max_length", None)
    if mml and mml < 1e29:
        return int(mml)
    return DEFAULT_MAX_LENGTH


class Encoder:
    def __init__(self, tok, add_special_tokens, default_tok=None):
        self.tok, self.add, self.default = tok, add_special_tokens, default_tok
        self.n_default_diff = 0

    def ids(self, s, tok=None):
        return (tok or self.tok)(s, add_special_tokens=self.add)["input_ids"]

    def pair(self, context, continuation, prefix_id):
        """Harness `_encode_pair` (causal): (context_enc, continuation_enc)."""
        if context == "":
            return [prefix_id], self.ids(continuation)
        n = len(context) - len(context.rstrip())
        if n:
            context, continuation = context[:-n], context[-n:] + continuation
        whole, ctx = self.ids(context + continuation), self.ids(context)
        if self.default is not None:
            w2, c2 = self.ids(context + continuation, self.default), self.ids(context, self.default)
            if (c2, w2[len(c2):]) != (ctx, whole[len(ctx):]):
                self.n_default_diff += 1
        return ctx, whole[len(ctx):]


def loglikelihoods(model, requests, batch, max_length, pad_id, stats):
    """Summed continuation log-probs for [(context_enc, continuation_enc)], in input order."""
    order = sorted(range(len(requests)), key=lambda i: (-len(requests[i][0]) - len(requests[i][1]),
                                                        tuple(requests[i][0] + requests[i][1])))
    out = [0.0] * len(requests)
    for b in range(0, len(order), batch):
        chunk = order[b:b + batch]
        inps, conts = [], []
        for i in chunk:
            ctx, cont = requests[i]
            assert ctx and cont and len(cont) <= max_length
            if len(ctx) + len(cont) > max_length + 1:
                stats["truncated_requests"] += 1
            inps.append((ctx + cont)[-(max_length + 1):][:-1])
            conts.append(cont)
        T = max(len(x) for x in inps)
        ids = torch.full((len(inps), T), pad_id, dtype=torch.long)
        mask = torch.zeros((len(inps), T), dtype=torch.long)
        for r, x in enumerate(inps):
            ids[r, :len(x)] = torch.tensor(x, dtype=torch.long)
            mask[r, :len(x)] = 1
        logits = model(input_ids=ids, attention_mask=mask, use_cache=False).logits
        for r, (i, x, cont) in enumerate(zip(chunk, inps, conts)):
            rows = logits[r, len(x) - len(cont):len(x)].float()
            lp = torch.log_softmax(rows, dim=-1)
            tgt = torch.tensor(cont, dtype=torch.long)
            out[i] = float(lp.gather(1, tgt[:, None]).squeeze(1).double().sum())
        del logits
    return out


def _cache_of(res):
    c = getattr(res, "cache", None)
    return c if c is not None else res.past_key_values


def generate(model, tok, enc, contexts, batch, max_length, max_new, until, eos_ids, pad_id, stats):
    """Greedy continuations (decoded, cut before the first stop string, not yet stripped)."""
    max_ctx = max_length - max_new
    assert max_ctx > 0
    encs = []
    for c in contexts:
        e = enc.ids(c)
        if len(e) > max_ctx:
            stats["truncated_requests"] += 1
        encs.append(e[-max_ctx:])
    order = sorted(range(len(encs)), key=lambda i: (-len(encs[i]), i))
    out = [None] * len(encs)
    params = inspect.signature(model.forward).parameters
    cache_kw = "cache" if "cache" in params else "past_key_values"   # renamed in transformers 5.2x
    keep_last = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
    for b in range(0, len(order), batch):
        chunk = order[b:b + batch]
        L = max(len(encs[i]) for i in chunk)
        ids = torch.full((len(chunk), L), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), L), dtype=torch.long)
        for r, i in enumerate(chunk):       # left padding
            ids[r, L - len(encs[i]):] = torch.tensor(encs[i], dtype=torch.long)
            mask[r, L - len(encs[i]):] = 1
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        res = model(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True, **keep_last)
        past = _cache_of(res)
        gen = [[] for _ in chunk]
        done = [None] * len(chunk)
        for step in range(max_new):
            nxt = res.logits[:, -1, :].float().argmax(dim=-1)
            for r in range(len(chunk)):
                if done[r]:
                    continue
                t = int(nxt[r])
                gen[r].append(t)
                if t in eos_ids:
                    done[r] = "eos"
                elif any(s in tok.decode(gen[r], skip_special_tokens=False) for s in until):
                    done[r] = "stop"
            if all(done) or step == max_new - 1:
                break
            mask = torch.cat([mask, torch.ones((len(chunk), 1), dtype=torch.long)], dim=1)
            pos = pos[:, -1:] + 1
            res = model(input_ids=nxt[:, None], attention_mask=mask, position_ids=pos,
                        use_cache=True, **{cache_kw: past})
            past = _cache_of(res)
        for r, i in enumerate(chunk):
            s = tok.decode(gen[r], skip_special_tokens=True)
            for term in until:                # harness postprocess_generated_text
                if term:
                    s = s.split(term)[0]
            if not done[r]:
                stats["hit_max_new_tokens"] += 1
            out[i] = (s, len(gen[r]), done[r] or "max_new_tokens")
    return out


# ---------------------------------------------------------------- driver


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a .gguf file (or a Hugging Face model folder)")
    ap.add_argument("--task", required=True, choices=["sciq", "truthfulqa", "sst2", "nq_open", "triviaqa"])
    ap.add_argument("--data", required=True, help="the task's data file (formats: see above)")
    ap.add_argument("--limit", type=int, default=None, help="score the first N parseable items")
    ap.add_argument("--batch", type=int, default=1, help="requests per forward pass (default 1)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    ap.add_argument("--out", help="write the JSON result here")
    ap.add_argument("--sciq-support", action=argparse.BooleanOptionalAction, default=None,
                    help="allenai SciQ format: put the support paragraph in the context (default: yes, "
                         "as the harness); the local instruction-format copy is always closed-book")
    ap.add_argument("--max-length", type=int, default=None,
                    help="model context for truncation (default: as the harness resolves it from the config)")
    ap.add_argument("--max-new-tokens", type=int, default=64, help="generation cap (harness: 256)")
    ap.add_argument("--attn", default="eager", choices=["eager", "sdpa"],
                    help="transformers attention implementation (default eager, fp32 softmax)")
    ap.add_argument("--pretokenizer", default="auto", choices=["auto", "smollm", "as-loaded"],
                    help="auto: restore SmolLM2's Digits+ByteLevel pre-tokenizer when the GGUF says pre=smollm")
    ap.add_argument("--add-special-tokens", action="store_true",
                    help="encode with the tokenizer's special tokens (the harness default at 4e7e0d4 for "
                         "tokenizers that add BOS); off: add_special_tokens=False")
    args = ap.parse_args()

    threads = args.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # everything is local: no hub look-ups
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    notes = {}
    loaders = {
        "sciq": lambda p: load_sciq(p, args.sciq_support, notes),
        "truthfulqa": lambda p: load_truthfulqa(p, notes),
        "sst2": load_sst2,
        "nq_open": load_nq_open,
        "triviaqa": load_triviaqa,
    }
    items, skipped = [], []
    for x in loaders[args.task](args.data):
        if args.limit is not None and len(items) >= args.limit:
            break
        if isinstance(x, Skip):
            skipped.append(str(x))
        else:
            items.append(x)
    if not items:
        sys.exit(f"eval_reference: no items parsed from {args.data}")
    generative = args.task in ("nq_open", "triviaqa")
    label = args.task
    if args.task == "sciq":
        closed = notes.get("sciq_format") == "instruction" or args.sciq_support is False
        label = "sciq (closed-book)" if closed else "sciq (with support)"

    t0 = time.perf_counter()
    model, tok, default_tok, info = load_model(args.model, args.attn, args.pretokenizer)
    load_seconds = time.perf_counter() - t0
    max_length = args.max_length or resolve_max_length(model, tok)
    probe = "Question: What is 2 + 2?\nAnswer: 4"
    adds = tok(probe)["input_ids"] != tok(probe, add_special_tokens=False)["input_ids"]
    if adds and not args.add_special_tokens:
        print("warning: this tokenizer adds special tokens by default; the harness at "
              f"{HARNESS_COMMIT} would keep them (use --add-special-tokens to mimic it)", file=sys.stderr)
    enc = Encoder(tok, args.add_special_tokens, default_tok)
    prefix_id = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    stats = {"truncated_requests": 0, "hit_max_new_tokens": 0}

    t0 = time.perf_counter()
    records = []
    with torch.inference_mode():
        if not generative:
            reqs, where = [], []
            for n, it in enumerate(items):
                for s, choices in enumerate(it.sets):
                    for c, ch in enumerate(choices):
                        reqs.append(enc.pair(it.context, TARGET_DELIMITER + ch, prefix_id))
                        where.append((n, s, c))
            lls = loglikelihoods(model, reqs, max(1, args.batch), max_length, pad_id, stats)
            per = [[[None] * len(ch) for ch in it.sets] for it in items]
            ntok = [[[None] * len(ch) for ch in it.sets] for it in items]
            ctxn = [None] * len(items)
            for (n, s, c), ll, (ctx, cont) in zip(where, lls, reqs):
                per[n][s][c], ntok[n][s][c], ctxn[n] = ll, len(cont), len(ctx)
            for n, it in enumerate(items):
                records.append({"index": it.index, "loglik": per[n], "cont_tokens": ntok[n],
                                "ctx_tokens": ctxn[n], "values": score_mc(args.task, it, per[n])})
        else:
            eos_ids = set()
            for e in (tok.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
                eos_ids.update(e if isinstance(e, (list, tuple)) else [e] if e is not None else [])
            until = list(GEN_UNTIL)
            eos_text = tok.decode([tok.eos_token_id], skip_special_tokens=False) if tok.eos_token_id is not None else ""
            if eos_text and eos_text not in until:
                until.append(eos_text)
            gens = generate(model, tok, enc, [it.context for it in items], max(1, args.batch), max_length,
                            args.max_new_tokens, until, eos_ids, pad_id, stats)
            regexes = NQ_REGEXES if args.task == "nq_open" else []
            for it, (raw, n_new, why) in zip(items, gens):
                pred = raw.strip()
                records.append({"index": it.index, "loglik": [], "ctx_tokens": len(enc.ids(it.context)),
                                "generation": pred, "raw_generation": raw, "new_tokens": n_new,
                                "stopped_by": why,
                                "values": {"exact_match": exact_match(pred, it.refs, regexes)}})
    seconds = time.perf_counter() - t0

    names = [k for k, v in records[0]["values"].items()
             if isinstance(v, float) and k not in ("pred", "pred_norm", "gold", "mc1_pred")]
    metrics, stderr = {}, {}
    for k in names:
        xs = [r["values"][k] for r in records]
        m = sum(xs) / len(xs)
        metrics[k] = m
        stderr[k] = (math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))
                     if len(xs) > 1 else float("nan"))
    floors = {}
    for it in items:
        for k, v in chance(args.task, it).items():
            floors[k] = floors.get(k, 0.0) + v / len(items)
    ties = sum(bool(r["values"].get("tie") or r["values"].get("mc1_tie")) for r in records)
    if not generative:
        notes["ties"] = ties
    notes.update({k: v for k, v in stats.items() if v or k == "truncated_requests"})
    if default_tok is not None:
        notes["requests_split_differently_by_unmodified_gguf_tokenizer"] = enc.n_default_diff

    result = {
        "task": args.task,
        "task_label": label,
        "model": os.path.abspath(args.model),
        "model_sha256": sha256_file(args.model) if os.path.isfile(args.model) else None,
        "data": os.path.abspath(args.data),
        "data_sha256": sha256_file(args.data),
        "items": len(items),
        "metrics": metrics,
        "stderr": stderr,
        "chance": floors,
        "records": records,
        "skipped": skipped,
        "notes": notes,
        "settings": {
            "harness_commit": HARNESS_COMMIT, "limit": args.limit, "batch": args.batch,
            "max_length": max_length, "max_new_tokens": args.max_new_tokens if generative else None,
            "attn_implementation": args.attn, "dtype": "float32", "device": "cpu",
            "add_special_tokens": args.add_special_tokens, "tokenizer_adds_special_tokens_by_default": adds,
            "sciq_support": args.sciq_support, **info,
        },
        "seconds": seconds,
        "items_per_second": len(items) / seconds if seconds > 0 else None,
        "load_seconds": load_seconds,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "tokenizers_version": version("tokenizers"),
        "threads": threads,
    }
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
            f.write("\n")

    print(f"{label}: {len(items)} items from {args.data}"
          + (f" ({len(skipped)} unparseable rows skipped)" if skipped else ""))
    for k in names:
        print(f"  {k:<12} {100 * metrics[k]:6.2f} ± {100 * stderr[k]:5.2f}   (chance {100 * floors.get(k, 0):.1f})")
    extra = ", ".join(f"{k} {v}" for k, v in notes.items() if k != "sciq_format")
    if extra:
        print(f"  notes: {extra}")
    for s in skipped[:5]:
        print(f"  skipped: {s}")
    print(f"  {seconds:.1f} s, {len(items) / seconds:.2f} items/s (batch {args.batch}, {threads} threads, "
          f"model load {load_seconds:.1f} s; torch {torch.__version__}, transformers {transformers.__version__})")
    if args.out:
        print(f"  wrote {args.out}")


if __name__ == "__main__":
    main()
