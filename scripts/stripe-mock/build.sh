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
source "$repo/scripts/lib/go-tool.sh"
# Each release embeds one snapshot of Stripe's OpenAPI spec; bump deliberately.
version=v0.203.0
module=github.com/stripe/stripe-mock
root=${HEXABASE_STRIPE_MOCK_DIR:-$repo/.hexabase/stripe-mock}

if [[ ${1:-} == --print-path ]]; then
  echo "$root/$version/bin/stripe-mock"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

use_go
# `go install mod@version` builds outside any module, so this repo's go.mod files and
# git state play no part; cd into the empty output dir to make that explicit. Upstream's
# goreleaser stamps main.version; without it the binary (and its Stripe-Mock-Version
# header) would say "master".
build() {
  (cd "$1" && GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X main.version=$version" "$module@$version")
}
# Everything that can change the output: the pinned version, these scripts (flags) and the toolchain.
stamp=$( { echo "$module@$version"; cat "$here/build.sh" "$repo/scripts/lib/go-tool.sh"; go version; } | sha256sum | cut -d' ' -f1)
go_tool stripe-mock "$version" "$root" "$stamp" build
