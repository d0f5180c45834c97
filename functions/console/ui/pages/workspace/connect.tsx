import { useState } from 'preact/hooks';
import { api, type Problem, problemOf, type Workspace } from '../../api/client';
import { CopyCommand, ErrorMessage } from '../../components/feedback';

type Mode = 'exec' | 'token';

/** Kubeconfig download in both modes, and the exact commands that do the same from a terminal. */
export function Connect({ ws, orgId }: { ws: Workspace; orgId: string }) {
  const [mode, setMode] = useState<Mode>('exec');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const origin = location.origin;
  const file = `${ws.id}.kubeconfig`;
  const download = async () => {
    setBusy(true);
    setProblem(undefined);
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/workspaces/{wsId}/kubeconfig', {
        params: { path: { orgId, wsId: ws.id }, query: { mode } },
        parseAs: 'text',
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    setBusy(false);
    if (data === undefined) return setProblem(problemOf(error, response));
    const url = URL.createObjectURL(new Blob([data], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const fetchCommand =
    mode === 'exec' ? `hxb kubeconfig ${ws.id} > ${file}` : `hxb kubeconfig ${ws.id} --mode token > ${file}`;
  return (
    <section aria-labelledby="connect" class="card">
      <h2 id="connect">Connect with kubectl</h2>
      <div role="radiogroup" aria-labelledby="mode-label" class="modes">
        <span id="mode-label" class="label">
          Kubeconfig mode
        </span>
        <label>
          <input
            type="radio"
            name="mode"
            value="exec"
            checked={mode === 'exec'}
            onChange={() => setMode('exec')}
          />
          Exec plugin (hxb fetches short-lived tokens)
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            value="token"
            checked={mode === 'token'}
            onChange={() => setMode('token')}
          />
          Embedded token (expires in an hour)
        </label>
      </div>
      <ErrorMessage problem={problem} />
      <p>
        <button type="button" onClick={download} disabled={busy}>
          Download kubeconfig
        </button>
      </p>
      <p class="muted">Or from a terminal:</p>
      {mode === 'exec' && <CopyCommand label="Sign in with hxb" command={`hxb login --url ${origin}`} />}
      <CopyCommand label="Write the kubeconfig" command={fetchCommand} />
      <CopyCommand label="Use it with kubectl" command={`KUBECONFIG=${file} kubectl get namespaces`} />
    </section>
  );
}
