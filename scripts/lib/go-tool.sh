# Sourced by the scripts that build a real counterpart of the tests from its Go module into a per-version cache
# (.hexabase/<tool>/<version>/bin): stripe-mock and the Kyverno CLI. Progress goes to stderr; the binary's path is
# the only stdout line.

# Puts Go on PATH (the machine's /usr/local/go when it is not there already), or says how to get it.
use_go() {
  command -v go >/dev/null 2>&1 && return
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH=/usr/local/go/bin:$PATH
  else
    echo "$0: Go toolchain not found (not on PATH, not in /usr/local/go/bin); install Go from https://go.dev/dl/" >&2
    exit 1
  fi
}

# go_tool NAME VERSION ROOT STAMP BUILD_FN: prints ROOT/VERSION/bin/NAME when it was built with STAMP; otherwise
# calls BUILD_FN OUT (which must leave the binary at OUT/NAME) under a progress ticker, then moves it into place
# (an interrupted build never leaves a partial binary) and records the stamp.
go_tool() {
  local name=$1 version=$2 root=$3 stamp=$4 build=$5
  local bin=$root/$version/bin
  if [[ -x $bin/$name && "$(cat "$bin/.stamp" 2>/dev/null)" == "$stamp" ]]; then
    echo "$name $version: up to date" >&2
    echo "$bin/$name"
    return
  fi
  mkdir -p "$bin"
  # Self-ignoring cache, so a binary can never be committed by accident.
  [[ -f $root/.gitignore ]] || echo '*' >"$root/.gitignore"
  rm -f "$bin/.stamp"
  local tmp start=$SECONDS ticker
  tmp=$(mktemp -d "$bin/.build.XXXXXX")
  # A cold build (module download + compile) is silent for minutes; show it is alive.
  ( while sleep 30; do echo "  ... $name $((SECONDS - start))s" >&2; done ) &
  ticker=$!
  # `|| true`: under `set -e` a failing command in the trap would turn the script's exit status into 1.
  trap 'kill '"$ticker"' 2>/dev/null || true; rm -rf "'"$tmp"'"' EXIT
  echo "$name $version: building ..." >&2
  "$build" "$tmp"
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  mv -f "$tmp/$name" "$bin/$name"
  trap - EXIT
  rm -rf "$tmp"
  echo "$stamp" >"$bin/.stamp"
  echo "$name $version: built in $((SECONDS - start))s" >&2
  echo "$bin/$name"
}
