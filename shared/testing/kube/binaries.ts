import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type Binaries = {
  dir: string;
  etcd: string;
  apiserver: string;
  controllerManager: string;
  kubectl: string;
};

const root = join(import.meta.dirname, '../../..');

/**
 * Runs one of the repository's tool scripts (scripts/testenv/build.sh, scripts/helm/ensure.sh, …), which build or
 * fetch what is missing with progress on stderr and print the path of the result last.
 */
export function toolPath(script: string): string {
  return execFileSync('bash', [join(root, script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)!;
}

/**
 * Builds etcd, kube-apiserver, kube-controller-manager and kubectl from upstream Go modules when they are missing
 * and returns their paths.
 */
export function ensureBinaries(): Binaries {
  return binariesIn(toolPath('scripts/testenv/build.sh'));
}

export function binariesIn(dir: string): Binaries {
  return {
    dir,
    etcd: join(dir, 'etcd'),
    apiserver: join(dir, 'kube-apiserver'),
    controllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
  };
}
