import { useEffect, useState } from 'preact/hooks';
import { followTask, type Task } from '../api/client';

const VERB: Record<string, string> = {
  'workspace.create': 'Creating the workspace',
  'workspace.update': 'Changing the plan',
  'workspace.delete': 'Deleting the workspace',
};

/**
 * A task's progress, live from the task stream, in a polite live region: screen readers hear each new step
 * without losing their place.
 */
export function TaskProgress({ taskId, onDone }: { taskId: string; onDone?: (task: Task) => void }) {
  const [task, setTask] = useState<Task | undefined>(undefined);
  useEffect(() => {
    setTask(undefined);
    return followTask(taskId, (t) => {
      setTask(t);
      if (t.status === 'succeeded' || t.status === 'failed') onDone?.(t);
    });
  }, [taskId]);
  const label = task ? (VERB[task.type] ?? task.type) : 'Starting';
  return (
    <section class="card task" aria-labelledby="task-heading">
      <h2 id="task-heading">Progress</h2>
      <div aria-live="polite" role="status">
        <p>
          {label}: <strong>{task?.status ?? 'pending'}</strong>
          {task?.message ? ` — ${task.message}` : ''}
        </p>
      </div>
      <progress aria-label="Task progress" max={100} value={task?.progress ?? 0}>
        {task?.progress ?? 0}%
      </progress>
    </section>
  );
}
