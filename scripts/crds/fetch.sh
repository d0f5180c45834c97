#!/usr/bin/env bash
# Copies the real upstream CustomResourceDefinitions the tests use as fixtures (Knative, Flux, prometheus-operator,
# Kyverno, Traefik, Tekton) out of their Go modules, downloaded with `go mod download` from the module proxy at the
# versions pinned in versions.txt beside this script. Files are copied as upstream ships them.
#
#   scripts/crds/fetch.sh               fetch if needed; stdout's last line = the fixture directory
#   scripts/crds/fetch.sh --print-path  only print the fixture directory
#
# HEXABASE_CRDS_DIR overrides the cache root (default <repo>/.hexabase/crds); the files land in $root/<stamp>/, the
# stamp a hash of the pins and this script, with sources.txt recording module@version, path and sha256 of each.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/scripts/lib/go-tool.sh"
root=${HEXABASE_CRDS_DIR:-$repo/.hexabase/crds}
kyverno=$(awk '$1 == "github.com/kyverno/kyverno" { print $2; exit }' "$repo/scripts/kyverno/go.mod")
[[ -n $kyverno ]] || { echo "$0: github.com/kyverno/kyverno is not pinned in scripts/kyverno/go.mod" >&2; exit 1; }

# The pins, one `module version file...` a line, with "go.mod" resolved to the Kyverno CLI's version.
pins=$(grep -v -e '^#' -e '^[[:space:]]*$' "$here/versions.txt" | awk -v k="$kyverno" '$2 == "go.mod" { $2 = k } { $1 = $1; print }')
stamp=$( { echo "$pins"; cat "$here/fetch.sh"; } | sha256sum | cut -c1-16)
dir=$root/$stamp

if [[ ${1:-} == --print-path ]]; then
  echo "$dir"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

if [[ -f $dir/sources.txt ]]; then
  echo "crds $stamp: up to date" >&2
  echo "$dir"
  exit 0
fi

use_go
mkdir -p "$root"
# Self-ignoring cache, so nothing fetched can be committed by accident.
[[ -f $root/.gitignore ]] || echo '*' >"$root/.gitignore"
tmp=$(mktemp -d "$root/.fetch.XXXXXX")
# `|| true`: under `set -e` a failing command in the trap would turn the script's exit status into 1.
trap 'rm -rf "$tmp" || true' EXIT
mkdir "$tmp/out" "$tmp/work"
start=$SECONDS

while read -r module version files; do
  t=$SECONDS
  # Outside any module (tmp/work), with the machine's own toolchain: nothing else is fetched.
  json=$(cd "$tmp/work" && GOTOOLCHAIN=local GOFLAGS= go mod download -json "$module@$version") || {
    echo "$0: go mod download $module@$version failed:" >&2
    echo "$json" >&2
    exit 1
  }
  moddir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  zip=$(sed -n 's/^[[:space:]]*"Zip": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ -d $moddir ]] || { echo "$0: go mod download $module@$version gave no module directory" >&2; exit 1; }
  for file in $files; do
    [[ -f $moddir/$file ]] || { echo "$0: $module@$version has no $file" >&2; exit 1; }
    # Module path and file name, so files of the same name from two modules cannot collide.
    name="${module//\//_}__${file##*/}"
    install -m 0644 "$moddir/$file" "$tmp/out/$name"
    echo "$name $module@$version $file $(sha256sum "$moddir/$file" | cut -d' ' -f1)" >>"$tmp/out/sources.txt"
  done
  echo "crds: $module@$version ($(du -h "$zip" | cut -f1) module zip) in $((SECONDS - t))s" >&2
done <<<"$pins"

# Another process may have finished the same stamp meanwhile: the first one in wins, both print the same directory.
mv -T "$tmp/out" "$dir" 2>/dev/null || [[ -f $dir/sources.txt ]]
echo "crds $stamp: fetched in $((SECONDS - start))s" >&2
echo "$dir"
