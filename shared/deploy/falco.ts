import { stringify } from 'yaml';

/**
 * Falco rules for tenants' host namespaces (hxb-*): a tenant is root inside its vCluster, and its pods run on the
 * host's nodes, so these watch what those containers do at runtime: interactive shells, credential hunting, drift
 * (binaries, packages), privilege escalation, miners, and reaching the node's metadata endpoint or the host's API
 * server. Pure builders, in Falco's own rules language (falco.org/docs/concepts/rules); the chart hands the file to
 * Falco (its `customRules`, or the ConfigMap below mounted into /etc/falco/rules.d).
 *
 * Every macro and list is defined here and named hxb_*: the file stands alone, and a same-named definition would
 * replace Falco's default one (and change the default rules) when both files are loaded.
 */
export type FalcoOptions = {
  /** Where the rules ConfigMap goes: a ConfigMap mounts only into pods of its own namespace (Falco's). */
  namespace: string;
  /** Tenant host namespaces start with this (shared/k8s/names.ts: hxb-{workspaceId}). */
  tenantNamespacePrefix?: string;
  /** The host API server's in-cluster name; Falco resolves it (fd.sip.name) through the cluster DNS. */
  apiServerHost?: string;
};

export const FALCO_RULES_FILE = 'hexabase-tenant-rules.yaml';
export const FALCO_RULES_CONFIGMAP = 'hexabase-falco-rules';
/** The link-local instance metadata endpoint of AWS, GCP, Azure and most other clouds. */
export const CLOUD_METADATA_IP = '169.254.169.254';

export type FalcoList = { list: string; items: (string | number)[] };
export type FalcoMacro = { macro: string; condition: string };
export type FalcoRule = {
  rule: string;
  desc: string;
  condition: string;
  output: string;
  priority: 'CRITICAL' | 'ERROR' | 'WARNING' | 'NOTICE';
  tags: string[];
};
export type FalcoItem = FalcoList | FalcoMacro | FalcoRule;

/** Who, where and what, in every alert: the tenant namespace and pod, the image, the process. */
const CONTEXT =
  'ns=%k8s.ns.name pod=%k8s.pod.name image=%container.image.repository:%container.image.tag ' +
  'container=%container.id user=%user.name uid=%user.uid process=%proc.name parent=%proc.pname ' +
  'command=%proc.cmdline exe=%proc.exepath';

const TAGS = ['hexabase', 'tenant', 'container'];

export function falcoRules(opts: FalcoOptions): FalcoItem[] {
  const prefix = opts.tenantNamespacePrefix ?? 'hxb-';
  const apiServer = opts.apiServerHost ?? 'kubernetes.default.svc.cluster.local';
  const rule = (
    name: string,
    desc: string,
    condition: string,
    output: string,
    meta: Pick<FalcoRule, 'priority' | 'tags'>,
  ): FalcoRule => ({
    rule: `Hexabase tenant ${name}`,
    desc,
    condition,
    output: `${output} | ${CONTEXT}`,
    ...meta,
  });
  return [
    { list: 'hxb_shell_binaries', items: ['ash', 'bash', 'csh', 'ksh', 'sh', 'tcsh', 'zsh', 'dash'] },
    // Falco's default sensitive_file_names, and the tools that legitimately read them.
    { list: 'hxb_sensitive_files', items: ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/pam.conf'] },
    {
      list: 'hxb_shadow_readers',
      items: ['unix_chkpwd', 'passwd', 'chage', 'login', 'sshd', 'sshd-session'],
    },
    {
      list: 'hxb_bin_dirs',
      items: ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'],
    },
    // Files whose change hands out accounts, root or code in every process (ld.so.preload).
    { list: 'hxb_system_files', items: ['/etc/passwd', '/etc/shadow', '/etc/sudoers', '/etc/ld.so.preload'] },
    // OS package managers only: language ones (npm, pip) run legitimately in application containers.
    {
      list: 'hxb_package_managers',
      items: ['apt', 'apt-get', 'aptitude', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper'],
    },
    { list: 'hxb_privilege_binaries', items: ['sudo', 'su', 'doas', 'pkexec'] },
    {
      list: 'hxb_miner_binaries',
      items: [
        'xmrig',
        'xmr-stak',
        'minerd',
        'cpuminer',
        'ccminer',
        'cgminer',
        'bfgminer',
        'ethminer',
        'nbminer',
      ],
    },
    { macro: 'hxb_spawned_process', condition: '(evt.type in (execve, execveat))' },
    {
      macro: 'hxb_open_read',
      condition:
        "(evt.type in (open, openat, openat2) and evt.is_open_read=true and fd.typechar='f' and fd.num>=0)",
    },
    {
      macro: 'hxb_open_write',
      condition:
        "(evt.type in (open, openat, openat2) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0)",
    },
    { macro: 'hxb_chmod', condition: '(evt.type in (chmod, fchmod, fchmodat))' },
    { macro: 'hxb_connect', condition: '(evt.type = connect and (fd.typechar = 4 or fd.typechar = 6))' },
    {
      macro: 'hxb_tenant_container',
      condition: `(container.id != host and k8s.ns.name startswith "${prefix}")`,
    },
    // The vCluster control plane (labels of its pod; vCluster marks the pods it syncs with managed-by).
    {
      macro: 'hxb_vcluster_control_plane',
      condition:
        '(k8s.pod.label[app] = vcluster and k8s.pod.label[release] = vcluster and ' +
        'not k8s.pod.label[vcluster.loft.sh/managed-by] exists)',
    },
    rule(
      'terminal shell',
      'An interactive shell (with a terminal) in a tenant container: kubectl exec -it, or a reverse shell.',
      'hxb_spawned_process and hxb_tenant_container and proc.name in (hxb_shell_binaries) and proc.tty != 0',
      'Shell with a terminal in a tenant container',
      { priority: 'NOTICE', tags: [...TAGS, 'shell', 'mitre_execution', 'T1059'] },
    ),
    rule(
      'cloud metadata access',
      "A tenant container connects to the cloud metadata endpoint, where the node's credentials are served.",
      `hxb_connect and hxb_tenant_container and fd.sip = "${CLOUD_METADATA_IP}"`,
      'Tenant container contacted the cloud metadata endpoint (connection=%fd.name)',
      { priority: 'ERROR', tags: [...TAGS, 'network', 'mitre_credential_access', 'T1552.005'] },
    ),
    rule(
      'sensitive file read',
      'A tenant container reads password or sudo files, outside the tools that use them.',
      'hxb_open_read and hxb_tenant_container and fd.name in (hxb_sensitive_files) and ' +
        'not proc.name in (hxb_shadow_readers)',
      'Sensitive file read in a tenant container (file=%fd.name)',
      { priority: 'WARNING', tags: [...TAGS, 'filesystem', 'mitre_credential_access', 'T1003.008'] },
    ),
    rule(
      'system binary or account file written',
      'A tenant container writes below a binary directory, the account files or ld.so.preload: drift or persistence.',
      'hxb_open_write and hxb_tenant_container and (fd.directory in (hxb_bin_dirs) or fd.name in (hxb_system_files))',
      'System binary or account file written in a tenant container (file=%fd.name)',
      { priority: 'ERROR', tags: [...TAGS, 'filesystem', 'mitre_persistence', 'T1543'] },
    ),
    rule(
      'privilege escalation tool',
      'sudo, su, doas or pkexec runs in a tenant container.',
      'hxb_spawned_process and hxb_tenant_container and proc.name in (hxb_privilege_binaries)',
      'Privilege escalation tool run in a tenant container',
      { priority: 'WARNING', tags: [...TAGS, 'process', 'mitre_privilege_escalation', 'T1548.003'] },
    ),
    rule(
      'setuid or setgid bit set',
      'chmod sets the setuid or setgid bit in a tenant container: a way to run as another (root) user later.',
      'hxb_chmod and hxb_tenant_container and (evt.arg.mode contains S_ISUID or evt.arg.mode contains S_ISGID)',
      'Setuid or setgid bit set in a tenant container (file=%evt.arg.filename mode=%evt.arg.mode)',
      { priority: 'WARNING', tags: [...TAGS, 'process', 'mitre_privilege_escalation', 'T1548.001'] },
    ),
    rule(
      'package manager',
      'An OS package manager runs in a running tenant container: software belongs in the image, not added live.',
      'hxb_spawned_process and hxb_tenant_container and proc.name in (hxb_package_managers)',
      'Package manager run in a tenant container',
      { priority: 'WARNING', tags: [...TAGS, 'process', 'software_mgmt', 'mitre_persistence', 'T1505'] },
    ),
    rule(
      'crypto miner',
      'A known miner binary, or a process handed a Stratum mining-pool URL, runs in a tenant container.',
      'hxb_spawned_process and hxb_tenant_container and (proc.name in (hxb_miner_binaries) or ' +
        'proc.cmdline contains "stratum+tcp" or proc.cmdline contains "stratum+ssl" or ' +
        'proc.cmdline contains "stratum2+tcp")',
      'Crypto miner in a tenant container',
      { priority: 'CRITICAL', tags: [...TAGS, 'process', 'mitre_impact', 'T1496'] },
    ),
    rule(
      'host API server contacted',
      "A tenant workload connects to the host cluster's API server; tenants talk to their vCluster's, and only " +
        "the vCluster control plane (its syncer) talks to the host's.",
      `hxb_connect and hxb_tenant_container and fd.sip.name = "${apiServer}" and not hxb_vcluster_control_plane`,
      'Tenant workload contacted the host API server (connection=%fd.name)',
      { priority: 'WARNING', tags: [...TAGS, 'network', 'k8s', 'mitre_discovery', 'T1613'] },
    ),
  ];
}

/** The rules file. No line folding: each condition stays one line, as written above. */
export function falcoRulesYaml(opts: FalcoOptions): string {
  return stringify(falcoRules(opts), { lineWidth: 0 });
}

/** The rules file in a ConfigMap, for Falco to mount into /etc/falco/rules.d (its default rules_files dir). */
export function falcoRulesConfigMap(opts: FalcoOptions) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: FALCO_RULES_CONFIGMAP,
      namespace: opts.namespace,
      labels: { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' },
    },
    data: { [FALCO_RULES_FILE]: falcoRulesYaml(opts) },
  };
}
