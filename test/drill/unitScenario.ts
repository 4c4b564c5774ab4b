import { type Scenario, validateScenario } from "../../automation/drill/scenario";

/** A valid three-region scenario for unit tests, with `raw` laid over it; throws on a bad one. */
export function unitScenario(raw: Record<string, unknown> = {}): Scenario {
  const parsed = validateScenario({
    name: "unit",
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
    versions: { "1.0.0": { errorRate: 0.001 } },
    initialVersion: "1.0.0",
    until: 1200,
    ...raw,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario;
}
