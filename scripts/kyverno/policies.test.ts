import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { PLATFORM_CHART, VALUE_SETS } from '../../shared/testing/chart';
import { helmTemplate } from '../../shared/testing/helm';

const root = join(import.meta.dirname, '../..');
const POLICIES = join(root, 'charts/hexabase-platform/policies/kyverno');

/** Where scripts/kyverno/build.sh puts the CLI (`npm test` builds it first); never builds. */
function kyvernoPath(): string {
  const bin = execFileSync('bash', [join(root, 'scripts/kyverno/build.sh'), '--print-path'], {
    encoding: 'utf8',
  }).trim();
  if (!existsSync(bin))
    throw new Error(`the Kyverno CLI is not built (${bin}): run bash scripts/kyverno/build.sh`);
  return bin;
}

/** `kyverno test <dir>`: its exit code and what it printed. */
function kyvernoTest(dir: string) {
  const r = spawnSync(kyvernoPath(), ['test', dir, '--remove-color', '--detailed-results'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("Hexabase's Kyverno policies for tenant host namespaces (the real Kyverno CLI)", () => {
  it('pass what vCluster and Hexabase put in hxb-* and fail privileged, host access, added capabilities, stray pods, unknown registries and unlabelled namespaces', () => {
    const { code, out } = kyvernoTest(join(POLICIES, 'tests'));
    expect(code, out).toBe(0);
    const results = parseAllDocuments(
      readFileSync(join(POLICIES, 'tests/kyverno-test.yaml'), 'utf8'),
    )[0]!.toJS().results as { resources?: string[] }[];
    expect(out).toMatch(
      new RegExp(`Test Summary: ${countResources(results)} tests passed and 0 tests failed`),
    );
  });

  it('fails the test run when a policy lets a forbidden pod through (the check has teeth)', () => {
    // The same test against a copy of the pod policy without its privileged rule: the expected failure is missing.
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-kyverno-'));
    try {
      cpSync(POLICIES, dir, { recursive: true });
      const [doc] = parseAllDocuments(readFileSync(join(dir, 'tenant-pods.yaml'), 'utf8'));
      const policy = doc!.toJS();
      const privileged = policy.spec.rules.find((r: { name: string }) => r.name === 'no-privileged');
      privileged.validate.pattern = { spec: { containers: [{ name: '*' }] } };
      writeFileSync(join(dir, 'tenant-pods.yaml'), stringify(policy));
      const { code, out } = kyvernoTest(join(dir, 'tests'));
      expect(code).not.toBe(0);
      expect(out).toMatch(
        /no-privileged\s*│\s*v1\/Pod\/hxb-ws-good\/privileged\s*│\s*Fail\s*│\s*Want fail, got pass/,
      );
      expect(out).toMatch(/Test Summary: \d+ tests passed and 1 tests failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The kyverno test suite against the policies as the chart renders them with these registries. */
  const testRendered = async (allowedRegistries?: string[]) => {
    const objects = await helmTemplate(PLATFORM_CHART, {
      values: [
        VALUE_SETS['Knative with the bundled services'],
        { kyverno: { enabled: true, ...(allowedRegistries ? { allowedRegistries } : {}) } },
      ],
    });
    const policies = objects.filter((o) => o.kind === 'ClusterPolicy') as { metadata: { name: string } }[];
    expect(policies).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-kyverno-chart-'));
    try {
      cpSync(POLICIES, dir, { recursive: true });
      // Each rendered policy replaces the source file of the same policy name.
      const files = readdirSync(POLICIES).filter((f) => f.endsWith('.yaml'));
      const fileOf = new Map(
        files.map((f) => [
          parseAllDocuments(readFileSync(join(POLICIES, f), 'utf8'))[0]!.toJS().metadata.name,
          f,
        ]),
      );
      for (const policy of policies)
        writeFileSync(join(dir, fileOf.get(policy.metadata.name)!), stringify(policy));
      return kyvernoTest(join(dir, 'tests'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("as the chart renders them, pass the same tests, and refuse a registry the operator's list leaves out", async () => {
    const defaults = await testRendered();
    expect(defaults.code, defaults.out).toBe(0);
    // Without docker.io the synced nginx pod (a short name: docker.io) is refused by the rendered policy.
    const narrowed = await testRendered(['ghcr.io', 'registry.k8s.io', 'quay.io']);
    expect(narrowed.code).not.toBe(0);
    expect(narrowed.out).toMatch(
      /allowed-registries\s*│\s*v1\/Pod\/hxb-ws-good\/web-x-default-x-vcluster\s*│\s*Fail\s*│\s*Want pass, got fail/,
    );
  });
});

/** Each result names several resources; the CLI counts one test per resource. */
const countResources = (results: { resources?: string[] }[]) =>
  results.reduce((n, r) => n + (r.resources?.length ?? 1), 0);
