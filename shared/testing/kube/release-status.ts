import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Flux's HelmRelease API, as the stand-in lists and patches it. */
export const HELM_RELEASES = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };

export type ReleaseMeta = {
  name: string;
  namespace: string;
  generation: number;
  finalizers?: string[];
};

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** What helm-controller writes on a release: its `Ready` verdict for the current generation, and finalizers. */
export function releaseStatus(custom: CustomObjectsApi) {
  const setReady = async (r: { metadata: ReleaseMeta }, ready: boolean, reason: string, message: string) => {
    const condition = {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason,
      message,
      observedGeneration: r.metadata.generation,
      lastTransitionTime: new Date().toISOString(),
    };
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...HELM_RELEASES,
        namespace: r.metadata.namespace,
        name: r.metadata.name,
        body: { status: { observedGeneration: r.metadata.generation, conditions: [condition] } },
      },
      mergePatch,
    );
  };
  const setFinalizers = (r: { metadata: ReleaseMeta }, finalizers: string[]) =>
    custom.patchNamespacedCustomObject(
      {
        ...HELM_RELEASES,
        namespace: r.metadata.namespace,
        name: r.metadata.name,
        body: { metadata: { finalizers } },
      },
      mergePatch,
    );
  return { setReady, setFinalizers };
}
