#!/usr/bin/env bash
# Builds the Kyverno CLI (`kubectl-kyverno`, from the Go module github.com/kyverno/kyverno, pinned in go.mod here)
# into a per-version cache, so `kyverno test` checks Hexabase's policies with nothing but Go and the module proxy.
#
#   scripts/kyverno/build.sh               build if needed; stdout = binary path
#   scripts/kyverno/build.sh --print-path  only print the binary path
#
# Upstream's go.mod has a replace directive, so `go install mod@version` refuses it: this directory is a wrapper
# module that repeats that replace and names the CLI as a `tool`. HEXABASE_KYVERNO_DIR overrides the cache root
# (default <repo>/.hexabase/kyverno); the binary lands in $root/<version>/bin/kyverno.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(awk '$1 == "github.com/kyverno/kyverno" { print $2; exit }' "$here/go.mod")
package=github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
root=${HEXABASE_KYVERNO_DIR:-$repo/.hexabase/kyverno}
bin=$root/$version/bin

if [[ ${1:-} == --print-path ]]; then
  echo "$bin/kyverno"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    echo "build.sh: Go toolchain not found (not on PATH, not in /usr/local/go/bin); install Go from https://go.dev/dl/" >&2
    exit 1
  fi
fi

stamp=$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh"; go version; } | sha256sum | cut -d' ' -f1)
if [[ -x $bin/kyverno && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "kyverno $version: up to date" >&2
  echo "$bin/kyverno"
  exit 0
fi

mkdir -p "$bin"
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
echo "kyverno $version: building $package (a cold build downloads and compiles a large module graph) ..." >&2
( while sleep 30; do echo "  ... kyverno $((SECONDS - start))s" >&2; done ) &
ticker=$!
# The CLI stamps its version from these variables, as upstream's release build does.
(cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath \
  -ldflags "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$version" \
  -o "$tmp/kyverno" "$package")
kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true; ticker=""
mv -f "$tmp/kyverno" "$bin/kyverno"
echo "$stamp" >"$bin/.stamp"
echo "kyverno $version: built in $((SECONDS - start))s" >&2
echo "$bin/kyverno"
