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
 * Builds etcd, kube-apiserver, kube-controller-manager and kubectl from upstream Go modules when they are missing
 * (scripts/testenv/build.sh prints progress on stderr) and returns their paths.
 */
export function ensureBinaries(): Binaries {
  const dir = execFileSync('bash', [join(root, 'scripts/testenv/build.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)!;
  return binariesIn(dir);
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
