/** Tests assert on response shapes with matchers; a loose type keeps them readable. */
// biome-ignore lint/suspicious/noExplicitAny: test-only convenience for asserting on JSON bodies.
export type Json = any;

export async function json(res: Response): Promise<Json> {
  return res.json();
}
