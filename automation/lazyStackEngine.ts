import type { StackEngine } from "./ports";

/** Opens the engine on first use, once. */
export function lazyStackEngine(open: () => Promise<StackEngine>): StackEngine {
  let engine: Promise<StackEngine> | undefined;
  const get = (): Promise<StackEngine> => (engine ??= open());
  return {
    preview: async (o) => (await get()).preview(o),
    up: async (o) => (await get()).up(o),
    refresh: async (o) => (await get()).refresh(o),
    outputs: async () => (await get()).outputs(),
    history: async (limit) => (await get()).history(limit),
  };
}
