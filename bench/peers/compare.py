"""Engine (avss / bench_forward) against Hugging Face transformers on the same work, in one process run.

Started by bench/peers/run.sh with the peers venv's Python. The transformers model is loaded once; each
work item is measured engine, peer, engine, peer, ... (--rounds) so both see the same machine load, and
the best round of each side is reported. Prints machine facts, one line per measurement, and a table
of engine rate, peer rate and engine / peer.
"""
import argparse
import ctypes
import math
import os
import platform
import re
import subprocess
import tempfile
import time


def log(msg=""):
    print(msg, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def cpu_vector_flags():
    try:
        flags = open("/proc/cpuinfo").read().split("flags", 2)[1].split("\n", 1)[0].split()
    except (OSError, IndexError):
        return "?"
    keep = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile") if f in flags]
    return " ".join(keep) or "none of avx2/avx512"


def engine_blas(binary):
    """The OpenBLAS the engine's libtorch resolves to, and the kernel set it picks on this CPU."""
    path = None
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
        m = re.search(r"libopenblas\S*\s+=>\s+(\S+)", out)
        if m:
            path = m.group(1)
    except OSError:
        pass
    path = path or "/usr/lib/x86_64-linux-gnu/libopenblas.so.0"
    try:
        lib = ctypes.CDLL(path)
        name = lib.openblas_get_corename
        name.restype = ctypes.c_char_p
        conf = lib.openblas_get_config
        conf.restype = ctypes.c_char_p
        return {"path": os.path.realpath(path), "core": name().decode(), "config": conf().decode(),
                "threads": int(lib.openblas_get_num_threads())}
    except (OSError, AttributeError) as e:
        return {"path": path, "core": "unknown (%s)" % e, "config": "", "threads": os.cpu_count() or 1}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return r


# ---------------------------------------------------------------- engine side


def engine_forward(bench_forward, model, reps, weights="fp32"):
    out = run([bench_forward, model, "--batch", "4", "--seq", "512", "--reps", str(reps), "--weights", weights]).stdout
    gemm = re.search(r"fp32 matmul:\s*([\d.]+) GFLOP/s \(2048\^3\)", out)
    fwd = re.search(r"forward:\s*([\d.]+) s per batch,\s*([\d.]+) tokens/s", out)
    if not gemm or not fwd:
        raise RuntimeError("unexpected bench_forward output:\n" + out)
    return float(gemm.group(1)), 2048.0 / float(fwd.group(1)), out


def engine_perplexity(avss, model, text, window, tokens, weights="fp32"):
    out = run([avss, "--quiet", "perplexity", model, "--text", text, "--window", str(window), "--max-tokens", str(tokens),
               "--weights", weights]).stdout
    ppl = float(re.search(r"^perplexity\s+([\d.]+)", out, re.M).group(1))
    m = re.search(r"^time\s+([\d.]+) s", out, re.M)
    windows = re.search(r"^windows\s+(\d+) x (\d+)", out, re.M)
    used = int(windows.group(1)) * int(windows.group(2))
    return ppl, used / float(m.group(1)), used


def engine_generate(avss, model, prompt, new_tokens, weights="fp32"):
    r = run([avss, "generate", model, prompt, "--max-new-tokens", str(new_tokens), "--ignore-eos", "--ids", "--weights", weights])
    m = re.search(r"(\d+) tokens in ([\d.e+-]+) s", r.stderr)
    if not m or int(m.group(1)) != new_tokens:
        raise RuntimeError("unexpected avss generate output:\n" + r.stderr)
    return float(m.group(2)), [int(t) for t in r.stdout.split()]


# 32 short QA-style prompts for batched generation (what the evaluation suites generate answers for).
BATCH_PROMPTS = ["Question: %s\nAnswer:" % q for q in [
    "What is the capital of France?", "Who wrote Hamlet?", "What is the boiling point of water in Celsius?",
    "How many legs does a spider have?", "What is the largest planet in the solar system?", "Who painted the Mona Lisa?",
    "What gas do plants absorb from the air?", "What is the chemical symbol for gold?", "How many continents are there?",
    "What is the square root of 81?", "Which ocean is the largest?", "What language is spoken in Brazil?",
    "Who discovered penicillin?", "What is the freezing point of water in Fahrenheit?", "What is the tallest mountain on Earth?",
    "How many days are in a leap year?", "What is the currency of Japan?", "Which planet is known as the Red Planet?",
    "What is the hardest natural substance?", "Who was the first person to walk on the moon?", "What is the capital of Canada?",
    "How many sides does a hexagon have?", "What organ pumps blood through the body?", "What is the main ingredient of guacamole?",
    "Which element has atomic number 1?", "What is the longest river in Africa?", "Who developed the theory of relativity?",
    "What is the smallest prime number?", "In which country are the pyramids of Giza?", "What do bees make?",
    "What is the capital of Australia?", "How many minutes are in an hour?"]]


def engine_batch(avss, model, prompts_file, new_tokens, weights):
    """tokens/s of one `avss generate --prompts-file` call with every prompt in one batch."""
    r = run([avss, "generate", model, "--prompts-file", prompts_file, "--max-new-tokens", str(new_tokens), "--ignore-eos",
             "--batch", str(len(BATCH_PROMPTS)), "--weights", weights])
    m = re.search(r"(\d+) prompts, (\d+) new tokens in ([\d.e+-]+) s", r.stderr)
    if not m or int(m.group(2)) != new_tokens * len(BATCH_PROMPTS):
        raise RuntimeError("unexpected avss generate --prompts-file output:\n" + r.stderr)
    return int(m.group(2)) / float(m.group(3))


def engine_supports(avss, model, weights):
    """Whether the engine runs this weight storage here (bf16 is refused on CPUs without AVX-512)."""
    r = subprocess.run([avss, "--quiet", "info", model, "--weights", weights], capture_output=True, text=True)
    return r.returncode == 0, (r.stderr.strip().splitlines() or [""])[0][:300]


def engine_ids(avss, model, text, special=False):
    out = run([avss, "--quiet", "tokenize", model, text, "--ids"] + ([] if special else ["--no-special"])).stdout
    return [int(t) for t in out.split()]


def engine_bos(avss, model):
    """The BOS id the engine puts before a sequence (the model's tokenizer rule), or None (SmolLM2)."""
    with_special, plain = engine_ids(avss, model, "a", True), engine_ids(avss, model, "a")
    return with_special[0] if len(with_special) == len(plain) + 1 and with_special[1:] == plain else None


# ---------------------------------------------------------------- transformers side


class Peer:
    def __init__(self, model_path, threads):
        import torch
        import transformers

        self.torch = torch
        torch.set_num_threads(threads)
        t = time.perf_counter()
        d, name = os.path.split(os.path.abspath(model_path))
        # transformers 5 renamed torch_dtype to dtype; either way the GGUF's weights are dequantised to fp32
        dtype_arg = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
        self.model = transformers.AutoModelForCausalLM.from_pretrained(
            d, gguf_file=name, attn_implementation="sdpa", **{dtype_arg: torch.float32}).eval()
        self.load_seconds = time.perf_counter() - t
        self.vocab = self.model.config.vocab_size
        self.tokenizer = None
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(d, gguf_file=name)
        except Exception as e:  # noqa: BLE001 - only the sanity check needs it
            self.tokenizer_error = str(e).splitlines()[0][:200]

    def bf16_copy(self):
        """The same model with bf16 weights: transformers' fast CPU mode on AVX-512/AMX (torch routes bf16 linears to oneDNN)."""
        import copy
        other = copy.copy(self)
        other.model = copy.deepcopy(self.model).to(self.torch.bfloat16)
        return other

    def gemm(self, reps):
        torch = self.torch
        torch.manual_seed(0)
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        torch.matmul(a, b)
        best = min(self._time(lambda: torch.matmul(a, b)) for _ in range(reps))
        return 2.0 * 2048 ** 3 / best / 1e9

    def prefill(self, reps, batch=4, seq=512):
        torch = self.torch
        g = torch.Generator().manual_seed(0)
        ids = torch.randint(0, self.vocab, (batch, seq), generator=g)
        mask = torch.ones(batch, seq, dtype=torch.long)
        with torch.inference_mode():
            f = lambda: self.model(input_ids=ids, attention_mask=mask, use_cache=False)  # noqa: E731
            f()  # warm-up
            best = min(self._time(f) for _ in range(reps))
        return batch * seq / best

    def perplexity(self, ids, window, bos=None):
        """As `avss perplexity`: with a BOS id, BOS goes before each window and every window token is predicted."""
        torch = self.torch
        n = len(ids) // window
        prefix = [] if bos is None else [bos]
        total, count = 0.0, 0
        with torch.inference_mode():
            t = time.perf_counter()
            for w in range(n):
                x = torch.tensor(prefix + ids[w * window:(w + 1) * window]).unsqueeze(0)
                logits = self.model(input_ids=x, use_cache=False).logits[0, :-1].float()
                nll = torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="sum")
                total += float(nll)
                count += x.shape[1] - 1
            seconds = time.perf_counter() - t
        return math.exp(total / count), n * window / seconds

    def generate(self, prompt_ids, new_tokens):
        torch = self.torch
        x = torch.tensor(prompt_ids).unsqueeze(0)
        with torch.inference_mode():
            t = time.perf_counter()
            out = self.model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=new_tokens,
                                      min_new_tokens=new_tokens, do_sample=False, temperature=None, top_p=None,
                                      top_k=None, pad_token_id=self.model.config.eos_token_id)
            seconds = time.perf_counter() - t
        return seconds, out[0, len(prompt_ids):].tolist()

    @staticmethod
    def _time(f):
        t = time.perf_counter()
        f()
        return time.perf_counter() - t


# ---------------------------------------------------------------- llama.cpp (optional)


def find_tool(root, name):
    for sub in ("", "bin", "build/bin"):
        p = os.path.join(root, sub, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def llama_cpp(root, model, text, threads, ppl_tokens, window, decode_tokens, results):
    bench = find_tool(root, "llama-bench")
    if bench:
        out = run([bench, "-m", model, "-p", "512", "-n", str(decode_tokens), "-t", str(threads), "-r", "2", "-o", "csv"]).stdout
        rows = [l for l in out.splitlines() if l.strip()]
        header = [h.strip('"') for h in rows[0].split(",")]
        for row in rows[1:]:
            cells = dict(zip(header, [c.strip('"') for c in row.split(",")]))
            ts = float(cells.get("avg_ts", "nan"))
            if cells.get("n_prompt") not in (None, "0"):
                results["llama.cpp pp512 (1 x 512, Q4_1 weights)"] = ts
            elif cells.get("n_gen") not in (None, "0"):
                results["llama.cpp tg%s (batch 1, Q4_1 weights)" % decode_tokens] = ts
        log("llama.cpp llama-bench: " + ", ".join("%s %.1f tokens/s" % kv for kv in results.items()))
    else:
        log("llama.cpp: no llama-bench under %s" % root)
    perp = find_tool(root, "llama-perplexity")
    if perp and text:
        chunks = max(1, ppl_tokens // window)
        r = subprocess.run([perp, "-m", model, "-f", text, "-c", str(window), "--chunks", str(chunks), "-t", str(threads)],
                           capture_output=True, text=True)
        both = r.stdout + r.stderr
        m = re.search(r"Final estimate: PPL = ([\d.]+)", both)
        tps = re.search(r"prompt eval time =.*?([\d.]+) tokens per second", both)
        if m:
            results["llama.cpp perplexity value"] = float(m.group(1))
        if tps:
            results["llama.cpp perplexity (tokens/s)"] = float(tps.group(1))
        log("llama.cpp llama-perplexity: PPL %s, %s tokens/s (BOS added, scores the 2nd half of each window)"
            % (m.group(1) if m else "?", tps.group(1) if tps else "?"))


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--avss", required=True)
    ap.add_argument("--bench-forward", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--text", default="")
    ap.add_argument("--ppl-tokens", type=int, default=4096)
    ap.add_argument("--windows", default="2048", help="perplexity window sizes, comma-separated (e.g. 512,2048,4096)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--decode-tokens", type=int, default=48)
    ap.add_argument("--prompt", default="The history of the printing press begins")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--llama-cpp", default="")
    a = ap.parse_args()
    try:
        a.window_list = [int(w) for w in a.windows.split(",") if w.strip()]
    except ValueError:
        raise SystemExit("--windows takes window sizes separated by commas, e.g. 512,2048,4096; got %r" % a.windows)
    if not a.window_list or min(a.window_list) < 2 or max(a.window_list) > a.ppl_tokens:
        raise SystemExit("--windows: each window needs 2 <= W <= --ppl-tokens (%d); got %r" % (a.ppl_tokens, a.windows))
    a.window = a.window_list[0]  # llama.cpp's perplexity row uses the first

    import torch
    import transformers

    started = time.time()
    load_start = loadavg()
    blas = engine_blas(a.avss)
    threads = a.threads or blas["threads"]
    log("== machine")
    log("date            %s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    log("CPU             %s, %d logical CPUs, %s" % (cpu_model(), os.cpu_count(), cpu_vector_flags()))
    log("load average    %s (start)" % load_start)
    log("OpenBLAS        %s: kernel set %s when loaded without overrides, %d threads (%s)"
        % (blas["path"], blas["core"], blas["threads"], blas["config"]))
    env = " ".join("%s=%s" % (k, v) for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_", "GOMP")))
    log("BLAS/OpenMP env %s" % (env or "(none set)"))
    log("peer            torch %s, transformers %s, Python %s" % (torch.__version__, transformers.__version__, platform.python_version()))
    cfg = torch.__config__.show()
    blas_info = re.search(r"BLAS_INFO=(\w+)", cfg)
    log("peer BLAS       %s; MKL %s; oneDNN %s; CPU capability %s" % (
        blas_info.group(1) if blas_info else "?", torch.backends.mkl.is_available(), torch.backends.mkldnn.is_available(),
        torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "?"))
    if "Intel" not in cpu_model() and torch.backends.mkl.is_available():
        log("                (MKL on a non-Intel CPU: its kernel choice is MKL's own; the wheel's OpenMP pool runs them)")

    peer = Peer(a.model, threads)
    log("peer model      %s loaded with gguf_file=, dequantised to fp32 (%.1f s), SDPA attention, %d torch threads"
        % (os.path.basename(a.model), peer.load_seconds, torch.get_num_threads()))
    bf16_ok, bf16_why = engine_supports(a.avss, a.model, "bf16")
    peer16 = peer.bf16_copy() if bf16_ok else None
    storages = ("fp32", "q8", "bf16") if bf16_ok else ("fp32", "q8")  # weight storages of the batched-generation rows
    log("bf16 rows       %s" % ("engine --weights bf16 against the peer's model cast to bf16 (and against its fp32)" if bf16_ok
                                else "skipped: " + bf16_why))
    log("engine threads  1 libtorch (OpenMP) thread for element-wise ops + %d OpenBLAS threads for the matrix products" % blas["threads"])
    log("")

    best = {}

    def keep(key, value, higher=True):
        if key not in best or (value > best[key] if higher else value < best[key]):
            best[key] = value

    # The prompt and the perplexity windows as the engine tokenises them, so both sides do the same work.
    prompt_ids = engine_ids(a.avss, a.model, a.prompt, special=True)  # as `avss generate` feeds it (BOS where the model adds one)
    bos = engine_bos(a.avss, a.model)
    ppl_ids = None
    ppl_note = ""
    if a.text:
        with open(a.text, encoding="utf-8") as f:
            head = f.read(200000)
        # avss tokenize takes the text as one argument (at most 128 KiB); cut at a line end.
        arg = head[:100000]
        arg = arg[:arg.rfind("\n") + 1]
        ids = engine_ids(a.avss, a.model, arg)
        if len(ids) < a.ppl_tokens:
            raise SystemExit("the first 100 kB of %s give only %d tokens; use --ppl-tokens <= that" % (a.text, len(ids)))
        ppl_ids = ids[:a.ppl_tokens]
        if peer.tokenizer is not None:
            hf = peer.tokenizer(head, add_special_tokens=False)["input_ids"][:a.ppl_tokens]
            same = next((i for i, (x, y) in enumerate(zip(hf, ppl_ids)) if x != y), len(ppl_ids))
            ppl_note = "HF tokenizer (from the GGUF) agrees with the engine's on the first %d of %d tokens" % (same, len(ppl_ids))
        else:
            ppl_note = "HF tokenizer from the GGUF not available (%s)" % getattr(peer, "tokenizer_error", "?")

    peer.generate(prompt_ids, 2)  # warm-up: the first generate() call pays one-time set-up (seconds)
    prompts_file = os.path.join(tempfile.mkdtemp(prefix="avss-peers-"), "prompts.txt")
    with open(prompts_file, "w", encoding="utf-8") as f:
        f.write("\n".join(p.replace("\n", " ") for p in BATCH_PROMPTS) + "\n")

    for r in range(1, a.rounds + 1):
        log("== round %d of %d (load %s)" % (r, a.rounds, loadavg()))
        e_gemm, e_prefill, out = engine_forward(a.bench_forward, a.model, 2)
        if r == 1:  # what the engine itself says about its BLAS (newer bench_forward prints a "BLAS ..." line)
            said = re.search(r"^BLAS (.*)$", out, re.M)
            log("engine BLAS     %s" % (said.group(1) if said else "(bench_forward does not say; see the OpenBLAS line above)"))
        log("engine  GEMM 2048^3 %7.1f GFLOP/s   prefill 4 x 512 %6.1f tokens/s" % (e_gemm, e_prefill))
        p_gemm = peer.gemm(3)
        p_prefill = peer.prefill(2)
        log("peer    GEMM 2048^3 %7.1f GFLOP/s   prefill 4 x 512 %6.1f tokens/s" % (p_gemm, p_prefill))
        keep("e_gemm", e_gemm), keep("p_gemm", p_gemm), keep("e_prefill", e_prefill), keep("p_prefill", p_prefill)
        if bf16_ok:
            _, e_prefill16, _ = engine_forward(a.bench_forward, a.model, 2, "bf16")
            p_prefill16 = peer16.prefill(2)
            log("bf16    prefill 4 x 512: engine %6.1f tokens/s, peer %6.1f tokens/s" % (e_prefill16, p_prefill16))
            keep("e_prefill16", e_prefill16), keep("p_prefill16", p_prefill16)

        for win in (a.window_list if ppl_ids else []):
            e_ppl, e_tps, used = engine_perplexity(a.avss, a.model, a.text, win, a.ppl_tokens)
            log("engine  perplexity %d x %d tokens: PPL %.4f, %6.1f tokens/s" % (used // win, win, e_ppl, e_tps))
            p_ppl, p_tps = peer.perplexity(ppl_ids, win, bos)
            log("peer    perplexity %d x %d tokens: PPL %.4f, %6.1f tokens/s" % (len(ppl_ids) // win, win, p_ppl, p_tps))
            keep("e_ppl_tps@%d" % win, e_tps), keep("p_ppl_tps@%d" % win, p_tps)
            best["e_ppl@%d" % win], best["p_ppl@%d" % win] = e_ppl, p_ppl
            if bf16_ok:
                e_ppl16, e_tps16, _ = engine_perplexity(a.avss, a.model, a.text, win, a.ppl_tokens, "bf16")
                p_ppl16, p_tps16 = peer16.perplexity(ppl_ids, win, bos)
                log("bf16    perplexity: engine PPL %.4f, %6.1f tokens/s; peer PPL %.4f, %6.1f tokens/s" % (e_ppl16, e_tps16, p_ppl16, p_tps16))
                keep("e_ppl_tps16@%d" % win, e_tps16), keep("p_ppl_tps16@%d" % win, p_tps16)
                best["e_ppl16@%d" % win], best["p_ppl16@%d" % win] = e_ppl16, p_ppl16

        # Decode phase = (n - 1) tokens in t(n) - t(1), prefill of the prompt and first token cancelling out;
        # t(1) and t(n) are each the best over all rounds (and 2 tries a round), so one slow call cannot
        # inflate or deflate the difference.
        n = a.decode_tokens
        for _ in range(2):
            e1, _ = engine_generate(a.avss, a.model, a.prompt, 1)
            en, e_out = engine_generate(a.avss, a.model, a.prompt, n)
            p1, _ = peer.generate(prompt_ids, 1)
            pn, p_out = peer.generate(prompt_ids, n)
            q1, _ = engine_generate(a.avss, a.model, a.prompt, 1, "q8")
            qn, q_out = engine_generate(a.avss, a.model, a.prompt, n, "q8")
            keep("e_t1", e1, False), keep("e_tn", en, False), keep("p_t1", p1, False), keep("p_tn", pn, False)
            keep("q_t1", q1, False), keep("q_tn", qn, False)
        agree = next((i for i, (x, y) in enumerate(zip(e_out, p_out)) if x != y), min(len(e_out), len(p_out)))
        log("engine  decode: best %d tokens %.3f s, best 1 token %.3f s so far" % (n, best["e_tn"], best["e_t1"]))
        log("peer    decode: best %d tokens %.3f s, best 1 token %.3f s so far; greedy tokens agree on the first %d of %d"
            % (n, best["p_tn"], best["p_t1"], agree, n))
        best["agree"] = agree
        q_agree = next((i for i, (x, y) in enumerate(zip(q_out, e_out)) if x != y), min(len(q_out), len(e_out)))
        log("engine  decode with q8 weights: best %d tokens %.3f s, best 1 token %.3f s so far; tokens agree with fp32 on the first %d of %d"
            % (n, best["q_tn"], best["q_t1"], q_agree, n))
        best["q_agree"] = q_agree
        # Batched generation: whole-call tokens/s (prompt prefill included) of 32 prompts against the
        # same call's rate for one prompt of the 32 (also prefill included), each weight storage.
        for w in storages:
            keep("batch_" + w, engine_batch(a.avss, a.model, prompts_file, n, w))
            t, _ = engine_generate(a.avss, a.model, BATCH_PROMPTS[0], n, w)
            keep("single_" + w, n / t)
        log("engine  batched generation, %d prompts x %d new: %s, best so far" % (len(BATCH_PROMPTS), n, ", ".join(
            "%s %.1f tokens/s (one prompt %.1f)" % (w, best["batch_" + w], best["single_" + w]) for w in storages)))
        log("")

    llama = {}
    if a.llama_cpp:
        log("== llama.cpp from %s (load %s)" % (a.llama_cpp, loadavg()))
        try:
            llama_cpp(a.llama_cpp, a.model, a.text, threads, a.ppl_tokens, a.window, a.decode_tokens, llama)
        except Exception as e:  # noqa: BLE001 - report and keep the rest of the table
            log("llama.cpp failed: %s" % str(e)[:500])
        log("")

    log("== result (best of %d rounds each; ratio = engine / peer, > 1 means the engine is faster)" % a.rounds)
    log("load average    %s (start), %s (end); %.0f s in all" % (load_start, loadavg(), time.time() - started))
    rows = [("fp32 GEMM 2048^3 (GFLOP/s)", best["e_gemm"], best["p_gemm"]),
            ("prefill 4 x 512, fp32 (tokens/s)", best["e_prefill"], best["p_prefill"])]
    windows = a.window_list if ppl_ids else []
    for win in windows:
        rows.append(("perplexity, %d windows x %d (tokens/s)" % (a.ppl_tokens // win, win), best["e_ppl_tps@%d" % win], best["p_ppl_tps@%d" % win]))
    if "e_prefill16" in best:
        rows.append(("prefill 4 x 512, engine bf16 vs peer fp32 (tokens/s)", best["e_prefill16"], best["p_prefill"]))
        rows.append(("prefill 4 x 512, both bf16 (tokens/s)", best["e_prefill16"], best["p_prefill16"]))
    for win in windows:
        if "e_ppl_tps16@%d" % win in best:
            tag = "" if len(windows) == 1 else " x %d" % win
            rows.append(("perplexity%s, engine bf16 vs peer fp32 (tokens/s)" % tag, best["e_ppl_tps16@%d" % win], best["p_ppl_tps@%d" % win]))
            rows.append(("perplexity%s, both bf16 (tokens/s)" % tag, best["e_ppl_tps16@%d" % win], best["p_ppl_tps16@%d" % win]))
    e_dec = (a.decode_tokens - 1) / (best["e_tn"] - best["e_t1"])
    p_dec = (a.decode_tokens - 1) / (best["p_tn"] - best["p_t1"])
    rows.append(("greedy decode, batch 1, %d new (tokens/s)" % a.decode_tokens, e_dec, p_dec))
    q_dec = (a.decode_tokens - 1) / (best["q_tn"] - best["q_t1"])
    rows.append(("greedy decode, batch 1, engine q8 weights vs peer fp32 (tokens/s)", q_dec, p_dec))
    log("| work | engine (avss) | transformers %s | engine / transformers |" % transformers.__version__)
    log("|---|---|---|---|")
    for name, e, p in rows:
        log("| %s | %.1f | %.1f | %.2f |" % (name, e, p, e / p))
    for win in windows:
        tag = "" if len(windows) == 1 else ", window %d" % win
        e, p = best["e_ppl@%d" % win], best["p_ppl@%d" % win]
        log("| perplexity value%s (sanity check) | %.4f | %.4f | %+.3f %% |" % (tag, e, p, 100.0 * (e / p - 1)))
        if "e_ppl16@%d" % win in best:
            e16, p16 = best["e_ppl16@%d" % win], best["p_ppl16@%d" % win]
            log("| perplexity value%s, bf16 (vs the same side's fp32) | %.4f (%+.3f %%) | %.4f (%+.3f %%) | |" % (
                tag, e16, 100.0 * (e16 / e - 1), p16, 100.0 * (p16 / p - 1)))
    log("")
    log("prefill per GFLOP/s of its own GEMM (BLAS taken out): engine %.2f, peer %.2f tokens/s per GFLOP/s (engine / peer %.2f)"
        % (best["e_prefill"] / best["e_gemm"], best["p_prefill"] / best["p_gemm"],
           (best["e_prefill"] / best["e_gemm"]) / (best["p_prefill"] / best["p_gemm"])))
    log("decode, best times: engine %.3f s for %d tokens, %.3f s for 1; peer %.3f s, %.3f s"
        % (best["e_tn"], a.decode_tokens, best["e_t1"], best["p_tn"], best["p_t1"]))
    if ppl_note:
        log("tokens: " + ppl_note + "; both sides score the engine's token ids")
    log("greedy decode: the two sides' tokens agree on the first %d of %d" % (best["agree"], a.decode_tokens))
    log("greedy decode with q8 weights: the engine's tokens agree with its fp32 tokens on the first %d of %d"
        % (best["q_agree"], a.decode_tokens))
    for w in storages:
        log("batched generation (engine only), %s weights: %d prompts %.1f tokens/s vs one prompt %.1f tokens/s = %.1fx"
            % (w, len(BATCH_PROMPTS), best["batch_" + w], best["single_" + w], best["batch_" + w] / best["single_" + w]))
    if a.llama_cpp:
        engine_side = {"pp512": best["e_prefill"], "tg": q_dec, "perplexity (tokens/s)": best.get("e_ppl_tps@%d" % a.window)}
        for k, v in llama.items():
            mine = next((e for tag, e in engine_side.items() if tag in k and e), None)
            log("%s: %.2f%s" % (k, v, "  (engine / llama.cpp %.2f)" % (mine / v) if mine and v else ""))
    else:
        log("llama.cpp: not measured (pass --llama-cpp DIR with a llama.cpp build to add llama-bench and llama-perplexity)")


if __name__ == "__main__":
    main()
