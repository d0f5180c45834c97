/**
 * The five Tasks of the Tekton pipeline (tekton.ts wires them into the Pipeline), apart so that what each step runs,
 * and with which privileges, reads on its own. Pure builders, as there: option strings may be Helm expressions.
 */

export type TektonOptions = {
  /** Where the Tasks, the Pipeline, its ServiceAccount and its runs live. */
  namespace: string;
  /** The repository the image is pushed to, without tag (e.g. ghcr.io/hexabase/hexabase). */
  image: string;
  gitUrl?: string;
  gitRevision?: string;
  serviceAccountName?: string;
  /** Per-tool image overrides: operators pin digests here (`repo:tag@sha256:…`). */
  toolImages?: Partial<Record<keyof typeof TOOL_IMAGES, string>>;
};

/**
 * Tool images, pinned by tag. A tag can be re-pointed by whoever controls the repository, so production should pin
 * digests through `toolImages`. golang's bookworm image carries git (buildpack-deps:scm), so it also clones.
 */
export const TOOL_IMAGES = {
  go: 'docker.io/library/golang:1.26.8-bookworm',
  node: 'docker.io/library/node:20.20-bookworm-slim',
  buildkit: 'docker.io/moby/buildkit:v0.32.2-rootless',
  trivy: 'docker.io/aquasec/trivy:0.74.0',
  skopeo: 'quay.io/skopeo/stable:v1.22.2',
} as const;

/** The uid/gid of every non-root step: BuildKit's rootless image maps only uid 1000, the others follow it. */
export const BUILD_UID = 1000;

export const labels = () => ({
  'app.kubernetes.io/part-of': 'hexabase',
  'app.kubernetes.io/managed-by': 'hexabase',
});
const SRC = '$(workspaces.source.path)/src';
// BuildKit's `type=docker` tarball is a Docker archive and an OCI image layout at once: Trivy's --input reads
// Docker archives (or OCI layout directories, not OCI-only tarballs) and skopeo pushes it as oci-archive,
// keeping the manifest BuildKit made, so the pushed digest is the one scanned.
const TARBALL = '$(workspaces.source.path)/image.tar';

// Functions, not shared constants: every object returned is fresh, so the chart may change one without changing
// the others, and YAML renders no anchors.
/** Non-root, nothing to escalate to, no capabilities, read-only root (writes go to workspaces and /tmp). */
const restricted = () => ({
  runAsNonRoot: true,
  runAsUser: BUILD_UID,
  runAsGroup: BUILD_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});
const tmp = {
  volumes: () => [{ name: 'tmp', emptyDir: {} }],
  mount: () => ({ name: 'tmp', mountPath: '/tmp' }),
};
const imageParams = () => [
  { name: 'image', type: 'string', description: 'Repository of the image, without tag.' },
  { name: 'tag', type: 'string', description: 'Tag of the image.' },
];
const env = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => ({ name, value }));

function task<Spec extends { description: string }>(name: string, opts: TektonOptions, spec: Spec) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: { name: `hexabase-${name}`, namespace: opts.namespace, labels: labels() },
    spec,
  };
}

/** The five Tasks. Parameters reach scripts through env, never spliced into the script text (no injection). */
export function tektonTasks(opts: TektonOptions) {
  const images = { ...TOOL_IMAGES, ...opts.toolImages };
  const source = () => ({
    name: 'source',
    description: 'The checkout (src/) and the image tarball (image.tar).',
  });
  return [
    task('clone', opts, {
      description: 'Checks out one revision (branch, tag or commit) of the repository into src/.',
      params: [
        { name: 'url', type: 'string', description: 'The git repository.' },
        { name: 'revision', type: 'string', description: 'Branch, tag or commit.' },
      ],
      workspaces: [source()],
      results: [{ name: 'commit', type: 'string', description: 'The commit checked out.' }],
      volumes: tmp.volumes(),
      steps: [
        {
          name: 'clone',
          image: images.go,
          env: env({ GIT_URL: '$(params.url)', GIT_REVISION: '$(params.revision)', SRC, HOME: '/tmp' }),
          volumeMounts: [tmp.mount()],
          securityContext: restricted(),
          script: [
            '#!/bin/sh',
            'set -eu',
            'rm -rf "$SRC" && mkdir -p "$SRC" && cd "$SRC"',
            'git init -q && git remote add origin "$GIT_URL"',
            'git fetch -q --depth 1 origin "$GIT_REVISION" && git checkout -q FETCH_HEAD',
            'git rev-parse HEAD | tr -d "\\n" > "$(results.commit.path)"',
          ].join('\n'),
        },
      ],
    }),
    task('test', opts, {
      description: "The repository's whole gate, as CI runs it (.ci/run): npm ci, then npm test.",
      workspaces: [source()],
      volumes: [{ name: 'tools', emptyDir: {} }],
      steps: [
        {
          // `npm test` builds the Kubernetes test binaries and the Kyverno CLI from Go modules (Go >= 1.26.6).
          name: 'go-toolchain',
          image: images.go,
          volumeMounts: [{ name: 'tools', mountPath: '/tools' }],
          securityContext: restricted(),
          script: '#!/bin/sh\nset -eu\ncp -R /usr/local/go /tools/go',
        },
        {
          name: 'test',
          image: images.node,
          workingDir: SRC,
          env: env({ npm_config_update_notifier: 'false' }),
          volumeMounts: [{ name: 'tools', mountPath: '/tools' }],
          computeResources: { requests: { cpu: '2', memory: '6Gi' } },
          // Root: scripts/ensure-services.sh installs PostgreSQL, Redis, NATS, Chromium and the Python test
          // helpers with apt-get, and the image has no sudo. Still no escalation and only the capabilities
          // dpkg and PostgreSQL's cluster setup use (file ownership, switching to the postgres user).
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            allowPrivilegeEscalation: false,
            capabilities: {
              drop: ['ALL'],
              add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'AUDIT_WRITE'],
            },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          script:
            '#!/bin/sh\nset -eu\nexport PATH="/tools/go/bin:$PATH"\nnpm ci --no-audit --no-fund\nnpm test',
        },
      ],
    }),
    task('build', opts, {
      description:
        "Builds the repository's Dockerfile with rootless BuildKit into image.tar. Pushes nothing.",
      params: imageParams(),
      workspaces: [source()],
      volumes: [{ name: 'buildkitd', emptyDir: {} }],
      steps: [
        {
          name: 'build',
          image: images.buildkit,
          env: env({ BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }),
          volumeMounts: [{ name: 'buildkitd', mountPath: '/home/user/.local/share/buildkit' }],
          computeResources: { requests: { cpu: '1', memory: '2Gi' } },
          // Non-root (uid 1000), not privileged, no added capabilities. RootlessKit creates a user namespace
          // through the setuid newuidmap/newgidmap and mounts inside it: that needs privilege escalation and
          // unconfined seccomp and AppArmor (moby/buildkit docs/rootless.md, examples/kubernetes/
          // job.rootless.yaml), and writes under $HOME and /run/user/1000, so the root filesystem stays
          // writable. Not "restricted" Pod Security: the pipeline's namespace must admit it.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: BUILD_UID,
            runAsGroup: BUILD_UID,
            allowPrivilegeEscalation: true,
            seccompProfile: { type: 'Unconfined' },
            appArmorProfile: { type: 'Unconfined' },
          },
          command: ['buildctl-daemonless.sh'],
          args: [
            ['build', '--frontend', 'dockerfile.v0', '--opt', 'filename=Dockerfile'],
            ['--local', `context=${SRC}`, '--local', `dockerfile=${SRC}`],
            [
              '--output',
              `type=docker,oci-mediatypes=true,name=$(params.image):$(params.tag),dest=${TARBALL}`,
            ],
          ].flat(),
        },
      ],
    }),
    task('scan', opts, {
      description: 'The gate: Trivy fails the run on any HIGH or CRITICAL vulnerability that has a fix.',
      workspaces: [source()],
      volumes: tmp.volumes(),
      steps: [
        {
          name: 'trivy',
          image: images.trivy,
          volumeMounts: [tmp.mount()],
          securityContext: restricted(),
          command: ['trivy'],
          args: [
            ['image', '--input', TARBALL],
            ['--exit-code', '1', '--severity', 'HIGH,CRITICAL', '--ignore-unfixed'],
            ['--no-progress', '--cache-dir', '/tmp/trivy', '--timeout', '15m'],
          ].flat(),
        },
      ],
    }),
    task('push', opts, {
      description: 'Pushes the scanned tarball as is, with the registry credentials of the workspace.',
      params: imageParams(),
      workspaces: [
        source(),
        {
          name: 'registry-credentials',
          description: 'A kubernetes.io/dockerconfigjson Secret (.dockerconfigjson) or a config.json.',
          readOnly: true,
        },
      ],
      results: [
        { name: 'IMAGE_URL', type: 'string', description: 'The image pushed (Tekton Chains reads it).' },
        { name: 'IMAGE_DIGEST', type: 'string', description: 'Its manifest digest.' },
      ],
      volumes: tmp.volumes(),
      steps: [
        {
          name: 'push',
          image: images.skopeo,
          env: env({
            IMAGE: '$(params.image)',
            TAG: '$(params.tag)',
            TARBALL,
            CREDENTIALS: '$(workspaces.registry-credentials.path)',
            HOME: '/tmp',
          }),
          volumeMounts: [tmp.mount()],
          securityContext: restricted(),
          script: [
            '#!/bin/sh',
            'set -eu',
            'AUTH="$CREDENTIALS/.dockerconfigjson"',
            '[ -f "$AUTH" ] || AUTH="$CREDENTIALS/config.json"',
            'skopeo --tmpdir /tmp copy --authfile "$AUTH" --digestfile "$(results.IMAGE_DIGEST.path)" \\',
            '  "oci-archive:$TARBALL" "docker://$IMAGE:$TAG"',
            'printf "%s" "$IMAGE:$TAG" > "$(results.IMAGE_URL.path)"',
          ].join('\n'),
        },
      ],
    }),
  ];
}
