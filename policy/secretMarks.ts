/**
 * Which property paths of a resource hold Pulumi secrets.
 *
 * The Pulumi analyzer unwraps secrets before a policy sees them, so under `pulumi preview` a policy
 * cannot tell a secret from plain text; the offline evaluation records the secret markers and
 * registers them here. Policies that need to know ask `secretPathsOf` and skip the check when it
 * answers undefined ("cannot tell"), instead of guessing.
 *
 * Paths look like `masterPassword`, `stringData.password` or `containers[0].env`.
 */
const marks = new WeakMap<object, readonly string[]>();

export function markSecretPaths(props: object, paths: readonly string[]): void {
  marks.set(props, paths);
}

/** The secret paths of `props`, or undefined when nobody recorded them. */
export function secretPathsOf(props: object): readonly string[] | undefined {
  return marks.get(props);
}

/** Whether `path` is a secret or lies inside one. */
export function isSecretPath(secretPaths: readonly string[], path: string): boolean {
  return secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
}
