import { useEffect, useState } from 'preact/hooks';
import { type Problem, problemOf } from '../../api/client';

type Answer<T> = { data?: T; error?: unknown; response?: Response };

/** A call of the typed client that never throws: its data, or the problem to show. */
export async function attempt<T>(call: Promise<Answer<T>>): Promise<{ data?: T; problem?: Problem }> {
  const { data, error, response } = await call.catch(() => ({}) as Answer<T>);
  if (response?.ok) return { data: data as T };
  return { problem: problemOf(error, response) };
}

/** Loads with the typed client when a dependency changes or `reload` is called; `data` stays while reloading. */
export function useLoad<T>(load: () => Promise<Answer<T>>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    attempt(load()).then((r) => {
      if (stopped) return;
      if (r.problem) setProblem(r.problem);
      else {
        setProblem(undefined);
        setData(r.data);
      }
    });
    return () => {
      stopped = true;
    };
  }, [...deps, tick]);
  return { data, problem, reload: () => setTick((t) => t + 1) };
}

/** A tree's nodes in depth-first order with their depth, for pickers. */
export function flatten<N extends { children: N[] }>(nodes: N[], depth = 0): { node: N; depth: number }[] {
  return nodes.flatMap((node) => [{ node, depth }, ...flatten(node.children, depth + 1)]);
}

export const indent = (depth: number) => '\u00a0\u00a0'.repeat(depth);
