import { indent } from './common';

/** A tree's nodes as the options of a picker, depth-first and indented by depth (see `flatten`). */
export function TreeOptions({ nodes }: { nodes: { node: { id: string; name: string }; depth: number }[] }) {
  return (
    <>
      {nodes.map(({ node, depth }) => (
        <option key={node.id} value={node.id}>
          {indent(depth)}
          {node.name}
        </option>
      ))}
    </>
  );
}
