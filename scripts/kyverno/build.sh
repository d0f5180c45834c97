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
source "$repo/scripts/lib/go-tool.sh"
version=$(awk '$1 == "github.com/kyverno/kyverno" { print $2; exit }' "$here/go.mod")
package=github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno
root=${HEXABASE_KYVERNO_DIR:-$repo/.hexabase/kyverno}

if [[ ${1:-} == --print-path ]]; then
  echo "$root/$version/bin/kyverno"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

use_go
# The CLI stamps its version from pkg/version.BuildVersion, as upstream's release build does.
build() {
  (cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$version" -o "$1/kyverno" "$package")
}
stamp=$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$repo/scripts/lib/go-tool.sh"; go version; } | sha256sum | cut -d' ' -f1)
go_tool kyverno "$version" "$root" "$stamp" build
