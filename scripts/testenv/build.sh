#!/usr/bin/env bash
# Builds the upstream etcd, kube-apiserver, kube-controller-manager and kubectl
# pinned in go.mod into a per-version cache directory, so tests get a real
# control plane with nothing but Go and the module proxy.
#
#   scripts/testenv/build.sh              build if needed; stdout = bin dir
#   scripts/testenv/build.sh --print-dir  only print the bin dir
#
# Progress goes to stderr; the only stdout line is the bin directory, so
# callers can do: bin=$(scripts/testenv/build.sh).
# HEXABASE_TESTENV_DIR overrides the cache root (default <repo>/.hexabase/testenv);
# binaries land in $root/<k8s version>/bin. KUBE_GIT_COMMIT, if set, is stamped
# into the version info (the module proxy does not record the commit).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
binaries=(etcd kube-apiserver kube-controller-manager kubectl)

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    echo "build.sh: Go toolchain not found (not on PATH, not in /usr/local/go/bin); install Go >= 1.25 from https://go.dev/dl/" >&2
    exit 1
  fi
fi
cd "$here"

# Read from go.mod text rather than `go list` so --print-dir and the
# up-to-date check never touch the network.
kube_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ { print $2; exit }' go.mod)
[[ -n $kube_version ]] || { echo "build.sh: no k8s.io/kubernetes requirement in $here/go.mod" >&2; exit 1; }
root=${HEXABASE_TESTENV_DIR:-$repo/.hexabase/testenv}
bin=$root/$kube_version/bin

if [[ ${1:-} == --print-dir ]]; then
  echo "$bin"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-dir]" >&2
  exit 2
fi

# Everything that can change the output: sources, pins, this script (flags),
# the toolchain and the commit override.
stamp=$( { cat go.mod go.sum build.sh; find cmd -name '*.go' | LC_ALL=C sort | xargs cat
           go version; echo "${KUBE_GIT_COMMIT:-}"; } | sha256sum | cut -d' ' -f1)

up_to_date=1
for b in "${binaries[@]}"; do [[ -x $bin/$b ]] || up_to_date=0; done
if [[ $up_to_date == 1 && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "testenv $kube_version: up to date" >&2
  echo "$bin"
  exit 0
fi

# Reproduce upstream's release stamping (hack/lib/version.sh). The release
# timestamp from the proxy is used as buildDate so rebuilds are byte-identical.
build_date=$(go list -m -f '{{if .Time}}{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes)
minor=${kube_version#v1.}; minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitCommit=${KUBE_GIT_COMMIT:-} -X $pkg.gitTreeState=clean"
  ldflags+=" -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
done

mkdir -p "$bin"
# Self-ignoring cache, so ~300 MB of binaries can never be committed by accident.
[[ -f $root/.gitignore ]] || echo '*' >"$root/.gitignore"
rm -f "$bin/.stamp"
tmp=$(mktemp -d "$bin/.build.XXXXXX")
ticker=""
cleanup() {
  [[ -n $ticker ]] && kill "$ticker" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

start=$SECONDS
for b in "${binaries[@]}"; do
  t0=$SECONDS
  echo "testenv $kube_version: building $b ..." >&2
  # A cold kube-apiserver build is silent for many minutes; show it is alive.
  ( while sleep 30; do echo "  ... $b $((SECONDS - t0))s" >&2; done ) &
  ticker=$!
  # Same tags/CGO/trimpath as upstream release builds (hack/lib/golang.sh);
  # -buildvcs=false keeps this repo's git state out of the binaries.
  CGO_ENABLED=0 go build -trimpath -buildvcs=false -tags selinux,notest,grpcnotrace \
    -ldflags "$ldflags" -o "$tmp/$b" "./cmd/$b"
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true; ticker=""
  mv -f "$tmp/$b" "$bin/$b" # rename, so an interrupted build never leaves a partial binary
  echo "testenv $kube_version: built $b in $((SECONDS - t0))s" >&2
done
echo "$stamp" >"$bin/.stamp"
echo "testenv $kube_version: all binaries built in $((SECONDS - start))s" >&2
echo "$bin"
