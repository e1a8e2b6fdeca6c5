#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for SECONDS each, one after the other, single process.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default 300 s, all targets
# Builds build-fuzz/ (clang, -DAVSS_FUZZ=ON, ASan + UBSan; no libtorch), keeps each target's growing
# corpus in build-fuzz/corpus/<target> (git-ignored) seeded from tests/data/fuzz/<target>, copies
# every crash, leak, timeout or out-of-memory input into tests/data/fuzz/<target>/ (replayed by the
# test_fuzz_replay_* unit tests) and exits 1 when any target found one. Prints a summary table.
# Environment: AVSS_BUILD_LOCK=<file> runs the build under flock; AVSS_FUZZ_NO_BUILD=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
[[ $# -gt 0 ]] && shift
targets=("$@")
build=build-fuzz
limits=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)  # one process: no -jobs/-fork

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    packages="clang libclang-rt-14-dev"
    if [[ $(id -u) -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages
    else
        echo "fuzz.sh: clang with libFuzzer is missing; run: sudo apt-get install $packages" >&2
        exit 1
    fi
fi

if [[ ${AVSS_FUZZ_NO_BUILD:-0} != 1 ]]; then
    locked=()
    [[ -n ${AVSS_BUILD_LOCK:-} ]] && locked=(flock "$AVSS_BUILD_LOCK")
    if [[ ! -f $build/build.ninja ]]; then
        cmake -S . -B "$build" -G Ninja -DAVSS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
    fi
    "${locked[@]}" cmake --build "$build" -j2
fi

if [[ ${#targets[@]} -eq 0 ]]; then
    for exe in "$build"/tests/fuzz/fuzz_*; do
        name=${exe##*/fuzz_}
        [[ -f $exe && -x $exe && $name != make_seeds ]] && targets+=("$name")
    done
fi

dict_for() {
    case $1 in
        gguf) echo tests/fuzz/gguf.dict ;;
        session | jsonl_record | corpus | hf_json | safetensors) echo tests/fuzz/json.dict ;;
    esac
}

stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -1; }

found=0
rows=()
mkdir -p "$build/logs"
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t
    seeds=tests/data/fuzz/$t
    log=$build/logs/$t.log
    mkdir -p "$corpus" "$artifacts" "$seeds"
    args=("${limits[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts/")
    dict=$(dict_for "$t")
    [[ -n $dict ]] && args+=(-dict="$dict")
    echo "== fuzz_$t ${args[*]} $corpus $seeds"
    start=$(date +%s)
    # A finding makes libFuzzer exit non-zero; the loop goes on to the next target.
    "$build/tests/fuzz/fuzz_$t" "${args[@]}" "$corpus" "$seeds" >"$log" 2>&1 || true
    elapsed=$(($(date +%s) - start))
    new=0
    for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/slow-unit-*; do
        [[ -f $a ]] || continue
        [[ ${a##*/} == slow-unit-* ]] && continue  # slow, not failing: kept in the artifacts folder only
        cp "$a" "$seeds/" && rm "$a" && new=$((new + 1))
    done
    [[ $new -gt 0 ]] && found=1 && grep -m1 -A12 -E "ERROR|deadly|runtime error|out-of-memory|timeout" "$log" >&2 || true
    cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1)
    rows+=("$(printf '%-13s %7s %12s %8s %9s %20s %6s' "$t" "$elapsed" "$(stat_of "$log" number_of_executed_units)" \
        "$(stat_of "$log" average_exec_per_sec)" "$(find "$corpus" -type f | wc -l)" "${cov:-?}" "$new")")
done

printf '\n%-13s %7s %12s %8s %9s %20s %6s\n' target seconds execs exec/s corpus coverage crashes
printf '%s\n' "${rows[@]}"
if [[ $found -ne 0 ]]; then
    echo "fuzz.sh: new findings copied into tests/data/fuzz/<target>/ (logs in $build/logs)" >&2
    exit 1
fi
