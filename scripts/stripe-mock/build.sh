#!/usr/bin/env bash
# Builds Stripe's official stripe-mock (the Go module github.com/stripe/stripe-mock,
# pinned below) into a per-version cache directory, so tests and `npm run stripe-mock`
# get a real, spec-validating Stripe API with nothing but Go and the module proxy.
#
#   scripts/stripe-mock/build.sh               build if needed; stdout = binary path
#   scripts/stripe-mock/build.sh --print-path  only print the binary path
#
# Progress goes to stderr; the only stdout line is the binary's path, so callers
# can do: bin=$(scripts/stripe-mock/build.sh).
# HEXABASE_STRIPE_MOCK_DIR overrides the cache root (default <repo>/.hexabase/stripe-mock);
# the binary lands in $root/<version>/bin/stripe-mock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# Each release embeds one snapshot of Stripe's OpenAPI spec; bump deliberately.
version=v0.203.0
module=github.com/stripe/stripe-mock
root=${HEXABASE_STRIPE_MOCK_DIR:-$repo/.hexabase/stripe-mock}
bin=$root/$version/bin

if [[ ${1:-} == --print-path ]]; then
  echo "$bin/stripe-mock"
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

# Everything that can change the output: the pinned version, this script (flags)
# and the toolchain.
stamp=$( { echo "$module@$version"; cat "$here/build.sh"; go version; } | sha256sum | cut -d' ' -f1)

if [[ -x $bin/stripe-mock && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "stripe-mock $version: up to date" >&2
  echo "$bin/stripe-mock"
  exit 0
fi

mkdir -p "$bin"
# Self-ignoring cache, so the binary can never be committed by accident.
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
echo "stripe-mock $version: building $module@$version ..." >&2
# A cold build (module download + compile) is silent for a minute or more; show it is alive.
( while sleep 30; do echo "  ... stripe-mock $((SECONDS - start))s" >&2; done ) &
ticker=$!
# `go install mod@version` builds outside any module, so this repo's go.mod files and
# git state play no part; cd into the empty temp dir to make that explicit. Upstream's
# goreleaser stamps main.version; without it the binary (and its Stripe-Mock-Version
# header) would say "master".
(cd "$tmp" && GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X main.version=$version" "$module@$version")
kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true; ticker=""
mv -f "$tmp/stripe-mock" "$bin/stripe-mock" # rename, so an interrupted build never leaves a partial binary
echo "$stamp" >"$bin/.stamp"
echo "stripe-mock $version: built in $((SECONDS - start))s" >&2
echo "$bin/stripe-mock"
