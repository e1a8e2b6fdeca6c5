#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12 root: debootstrap (Debian's archive only),
# a clean `git clone` of one commit, then scripts/run-sample.sh and scripts/test.sh inside a chroot.
# Usage (as root): scripts/check-fresh-install.sh [--ref REV] [--keep] [--dir DIR] [--record FILE] [--warm-ccache]
#   --ref REV      commit to test (default HEAD; uncommitted changes are never part of the check)
#   --warm-ccache  copy this machine's ccache into the root first: same packages and scripts, but the
#                  compiles are cache hits (for a quick re-check; the recorded row says so)
#   --keep         leave the root in place afterwards (default: removed)
#   --dir DIR      where to build the root (default: a new folder under /var/tmp)
#   --record FILE  append the result as a markdown table row to FILE (e.g. docs/fresh-install.md)
# The chroot uses this machine's package-client configuration, as a user's machine would have its own:
# apt sources and Acquire settings, /etc/pip.conf and PIP_* variables, and the extra certificate
# authorities under /usr/local/share/ca-certificates (pip fails certificate checks without them).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

ref=HEAD keep=0 dir="" record="" warm=0
while (($#)); do
  case "$1" in
    --ref) ref="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --dir) dir="$2"; shift 2 ;;
    --record) record="$2"; shift 2 ;;
    --warm-ccache) warm=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-fresh-install: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

[[ $(id -u) -eq 0 ]] || { echo "check-fresh-install: must run as root (debootstrap, chroot, mounts)" >&2; exit 2; }
commit=$(git rev-parse --verify "$ref^{commit}")
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

# The Debian mirror this machine's apt uses (first URIs/deb line), so no other host is contacted.
mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

dir=${dir:-$(mktemp -d /var/tmp/avss-fresh.XXXXXX)}
log="$dir.log"
: >"$log"
cleanup() { if ((keep == 0)); then rm -rf --one-file-system "$dir"; fi; }
trap cleanup EXIT

now() { date +%s; }
step() { echo "check-fresh-install: $*" | tee -a "$log" >&2; }

step "commit $commit, root $dir, mirror $mirror, log $log"
t0=$(now)
debootstrap --variant=minbase bookworm "$dir" "$mirror" >>"$log" 2>&1 || { step "FAIL: debootstrap (see $log)"; exit 1; }
t_boot=$(($(now) - t0))

# This machine's package-client configuration (see header).
rm -f "$dir"/etc/apt/sources.list
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] && cp "$f" "$dir$f"
done
for f in /etc/apt/apt.conf.d/*; do
  grep -q '^Acquire::' "$f" 2>/dev/null && cp "$f" "$dir$f"
done
[[ -f /etc/pip.conf ]] && cp /etc/pip.conf "$dir/etc/pip.conf"
mkdir -p "$dir/usr/local/share/ca-certificates"
cp -r /usr/local/share/ca-certificates/. "$dir/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true

if ((warm)); then
  src=$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")
  mkdir -p "$dir/root/.cache/ccache" && cp -a "$src/." "$dir/root/.cache/ccache/"
fi

# A clean clone of the commit: what a user who clones the repository has, nothing more.
git clone --quiet --no-local "$repo" "$dir/root/avss"
git -C "$dir/root/avss" checkout --quiet --detach "$commit"

# Everything inside runs in a private mount namespace: the mounts vanish with it, whatever happens.
inner=$(cat <<'SH'
set -uo pipefail
root=$1; shift
mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"; mount -t tmpfs tmpfs "$root/tmp"
exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb "$@"
SH
)
pipvars=()
while IFS='=' read -r k v; do [[ $k == PIP_* ]] && pipvars+=("$k=$v"); done < <(env)
in_root() { unshare --mount --propagation private bash -c "$inner" inner "$dir" "${pipvars[@]}" "$@"; }

# Trusting this machine's extra CAs needs the trust store tool, which minbase lacks.
in_root bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends ca-certificates && update-ca-certificates' \
  >>"$log" 2>&1 || { step "FAIL: preparing the trust store (see $log)"; exit 1; }

run_timed() {  # name command...: runs in the root, prints duration, returns the command's status
  local name=$1; shift
  local t=$(now) rc=0
  step "running $name ..."
  in_root bash -c "cd /root/avss && $*" >>"$log" 2>&1 || rc=$?
  local d=$(($(now) - t))
  step "$name: $([[ $rc -eq 0 ]] && echo PASS || echo "FAIL (exit $rc)") in ${d}s"
  eval "t_$name=$d rc_$name=$rc"
}
run_timed main "scripts/run-sample.sh"
run_timed tests "CI=true scripts/test.sh"
summary=$(grep -E '^(tests|ctest): .*passed' "$log" | tail -n1 || true)

result="| $(date -u +%Y-%m-%d) | \`${commit:0:12}\` | $( ((warm)) && echo "warm ccache" || echo cold ) | ${t_boot}s | $( ((rc_main == 0)) && echo pass || echo FAIL ) in ${t_main}s | $( ((rc_tests == 0)) && echo pass || echo FAIL ) in ${t_tests}s | ${summary:-no summary} |"
step "result: $result"
[[ -n "$record" ]] && echo "$result" >>"$record"
((rc_main == 0 && rc_tests == 0))
