import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderChartTemplates, renderValuesSchema } from '../../scripts/gen-chart';
import { envObject } from '../env/schema';
import {
  type K8sObject,
  KEK,
  PLATFORM_CHART,
  ROOT,
  UMBRELLA_CHART,
  useCompletedUmbrella,
  useHostDryRun,
  validateAll,
} from '../testing/chart';
import { helm, helmTemplateResult, parseManifests } from '../testing/helm';
import { kubeEnvironment } from '../testing/kube/worker';
import { chartValues } from './chart-values';

/** The chart as committed, its values schema, the umbrella users install, and the install guide's commands. */
describe('the charts as users install them', () => {
  it('are committed as `npm run manifests` writes them (templates and values schema)', () => {
    for (const [file, text] of Object.entries(renderChartTemplates()))
      expect(readFileSync(join(PLATFORM_CHART, 'templates', file), 'utf8'), file).toBe(text);
    expect(readFileSync(join(PLATFORM_CHART, 'values.schema.json'), 'utf8')).toBe(renderValuesSchema());
  });

  it("has defaults its own schema accepts, the umbrella's platform values included", () => {
    expect(
      chartValues.safeParse(parse(readFileSync(join(PLATFORM_CHART, 'values.yaml'), 'utf8'))).error,
    ).toBeUndefined();
    const umbrella = parse(readFileSync(join(UMBRELLA_CHART, 'values.yaml'), 'utf8'));
    const platform = parse(readFileSync(join(PLATFORM_CHART, 'values.yaml'), 'utf8'));
    const merged = { ...platform, ...umbrella.platform };
    expect(chartValues.safeParse(merged).error).toBeUndefined();
  });

  it.each([
    ['a misspelt top-level key', ['replicaz=2'], /replicaz/],
    ['a misspelt nested key', ['monitoring.serviceMonitors=true'], /serviceMonitors/],
    ['a controller it does not know', ['ingress.controller=haproxy'], /controller|haproxy/],
    ['a string where a boolean belongs', ['knative.enabled=maybe'], /enabled|boolean/],
    ['a setting Hexabase does not read', ['config.HEXABASE_PUBLIK_URL=https://x'], /HEXABASE_PUBLIK_URL/],
    ['a function that does not exist', ['functions.authz.minScale=2'], /authz/],
  ])('refuses %s before rendering anything', async (_what, set, message) => {
    const result = await helmTemplateResult(PLATFORM_CHART, {
      values: [{ secrets: { HEXABASE_KEY_ENCRYPTION_KEY: KEK } }],
      set,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('refuses to write its own Secret without a key-encryption key', async () => {
    const result = await helmTemplateResult(PLATFORM_CHART, {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/HEXABASE_KEY_ENCRYPTION_KEY is required/);
  });

  it('the umbrella does not render until its dependencies are built, as its README says', async () => {
    const result = await helmTemplateResult(UMBRELLA_CHART, {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/missing in charts\/ directory: .*postgresql/);
  });

  describe('completed by `helm dependency build` (third-party charts as empty stand-ins)', () => {
    const umbrella = useCompletedUmbrella();
    const host = useHostDryRun();

    it("renders the platform under the umbrella's values, the bundled services' addresses from the release", async () => {
      const result = await helmTemplateResult(umbrella(), {
        release: 'acme',
        namespace: 'hexabase',
        values: [
          { platform: { secrets: { HEXABASE_KEY_ENCRYPTION_KEY: KEK }, publicHost: 'hb.example.org' } },
        ],
      });
      expect(result.code, result.stderr).toBe(0);
      const objects = parseManifests(result.stdout) as K8sObject[];
      validateAll(objects);
      const ingress = objects.find((o) => o.kind === 'Ingress')!;
      expect(ingress.spec.rules[0].host).toBe('hb.example.org');
      expect(result.stdout).toContain('acme-postgresql.hexabase.svc.cluster.local');
      const applied = await host.dryRun(objects);
      expect(applied.code, applied.stderr).toBe(0);
    });

    it('lints clean', async () => {
      const lint = await helm(['lint', umbrella(), '--set', 'platform.existingSecret=hexabase-secrets']);
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    });

    describe('docs/install.md', () => {
      const doc = readFileSync(join(ROOT, 'docs/install.md'), 'utf8');
      const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
      const files = Object.fromEntries(
        blocks
          .filter((b) => b.lang === 'yaml')
          .map((b) => [b.text.match(/^# file: (\S+)/)?.[1] ?? '', b.text] as const),
      );
      const dir = mkdtempSync(join(tmpdir(), 'hexabase-install-doc-'));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

      it('names every YAML block as the file the commands use', () => {
        expect(Object.keys(files).sort()).toEqual([
          'gitops.yaml',
          'values-everything.yaml',
          'values-external.yaml',
          'values-k3s.yaml',
        ]);
      });

      // Helm commands run as written, with `install`/`upgrade` rendered as `template` (no cluster to install on)
      // and charts/hexabase the completed umbrella; `helm dependency build` needs the internet.
      const commands = blocks
        .filter((b) => b.lang === 'sh')
        .flatMap((b) => b.text.split('\n'))
        .filter((line) => /^helm (install|upgrade|template|lint) /.test(line));

      it('has helm commands for install, upgrade, the platform chart alone and lint', () => {
        expect(commands.map((c) => c.split(' ')[1]).sort()).toEqual([
          'install',
          'lint',
          'template',
          'upgrade',
        ]);
      });

      it.each(commands)('`%s` works', async (command) => {
        const args = command
          .split(' ')
          .slice(1)
          .map((a) =>
            a === 'charts/hexabase' ? umbrella() : a === 'charts/hexabase-platform' ? PLATFORM_CHART : a,
          )
          .map((a) => (files[a] ? join(dir, a) : a));
        const verb = args[0] === 'lint' ? 'lint' : 'template';
        const result = await helm([verb, ...args.slice(1)], { cwd: dir });
        expect(result.code, result.stderr).toBe(0);
        if (verb === 'template') {
          const objects = parseManifests(result.stdout) as K8sObject[];
          validateAll(objects);
          const applied = await host.dryRun(objects);
          expect(applied.code, applied.stderr).toBe(0);
        }
      });

      // kubectl lines as a shell runs them (continuations joined), against the host cluster with a server dry run;
      // reading a running platform (rollout status) needs one.
      const kubectlCommands = blocks
        .filter((b) => b.lang === 'sh')
        .flatMap((b) => b.text.replaceAll('\\\n', ' ').split('\n'))
        .filter((line) => /^kubectl .*\bcreate\b/.test(line));

      it('creates the namespace and a settings Secret every value of which Hexabase accepts', async () => {
        expect(kubectlCommands).toHaveLength(2);
        const env = kubeEnvironment();
        // The guide's namespace under a name of this run's own: the namespace is really created, the rest dry-run.
        const ns = `hexabase-guide-${process.pid}`;
        onTestFinished(async () => {
          await host.run(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
        });
        for (const command of kubectlCommands) {
          const own = command.replace(/(namespace|-n) hexabase\b/, `$1 ${ns}`);
          const dryRun = own.startsWith('kubectl create namespace') ? '' : ' --dry-run=server';
          const run = spawnSync('bash', ['-c', `${own}${dryRun} -o json`], {
            env: {
              PATH: `${dirname(env.kubectl)}:${process.env.PATH}`,
              HOME: dir,
              KUBECONFIG: env.hostKubeconfigPath,
            },
            encoding: 'utf8',
          });
          expect(run.status, run.stderr).toBe(0);
          const created = JSON.parse(run.stdout) as { kind: string; data?: Record<string, string> };
          if (created.kind !== 'Secret') continue;
          for (const [name, value] of Object.entries(created.data ?? {})) {
            const schema = envObject.shape[name as keyof typeof envObject.shape];
            expect(schema, name).toBeDefined();
            const parsed = schema.safeParse(Buffer.from(value, 'base64').toString('utf8'));
            expect(parsed.error, name).toBeUndefined();
          }
        }
      });

      it('prints the NOTES of either mode on install, from the platform chart and from the umbrella', async () => {
        const cases = [
          [PLATFORM_CHART, '', true],
          [PLATFORM_CHART, '', false],
          [umbrella(), 'platform.', false],
        ] as const;
        for (const [chart, prefix, knative] of cases) {
          const result = await helm([
            ...['install', 'hexabase', chart, '-n', 'hexabase', '--dry-run=client'],
            ...[
              '--set',
              `${prefix}existingSecret=hexabase-secrets`,
              '--set',
              `${prefix}knative.enabled=${knative}`,
            ],
          ]);
          expect(result.code, result.stderr).toBe(0);
          const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
          expect(notes).toContain(
            knative ? 'kubectl -n hexabase wait ksvc' : 'kubectl -n hexabase rollout status',
          );
          expect(notes).toContain('https://hexabase.example.com/');
        }
      });

      it('renders each values file of the guide under the umbrella, and the GitOps objects are admitted', async () => {
        for (const name of ['values-k3s.yaml', 'values-external.yaml', 'values-everything.yaml']) {
          const result = await helm([
            'template',
            'hexabase',
            umbrella(),
            '-n',
            'hexabase',
            '-f',
            join(dir, name),
          ]);
          expect(result.code, `${name}: ${result.stderr}`).toBe(0);
        }
        const gitops = parseAllDocuments(files['gitops.yaml']!).map((d) => d.toJS() as K8sObject);
        validateAll(gitops);
        const applied = await host.dryRun(gitops);
        expect(applied.code, applied.stderr).toBe(0);
      });
    });
  });
});
