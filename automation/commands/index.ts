import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { loadModule as load } from "./loadModule";

/** A CLI command: registers itself and returns its exit code through the action's result. */
export type CommandModule = (program: Command, io: CliIo) => void;

/**
 * A command as `regionctl --help` lists it. Its module, and with it the Pulumi Automation API,
 * the Kubernetes client or the AWS SDKs, is loaded only when the command runs or shows its help.
 */
export interface CommandEntry {
  readonly name: string;
  /** The one-line description (the same text the module registers; a test keeps them equal). */
  readonly description: string;
  readonly load: () => Promise<CommandModule>;
}

/** Every command, in help order. */
export const commands: readonly CommandEntry[] = [
  {
    name: "drill",
    description: "rehearse failures and releases against a simulated cloud: RTO, RPO and safety-rule checks",
    load: async () => (await load("./drill", () => import("./drill"))).registerDrill,
  },
  {
    name: "deploy",
    description:
      "promote a version through the regions (rolling, blue-green or canary) with automatic rollback",
    load: async () => (await load("./deploy", () => import("./deploy"))).registerDeploy,
  },
  {
    name: "status",
    description: "show the writer, each region's release, the operation in flight and the lease",
    load: async () => (await load("./status", () => import("./status"))).registerStatus,
  },
  {
    name: "promote",
    description:
      "continue a paused operation past its pause; --full also skips every remaining pause, bake and wait",
    load: async () => (await load("./promote", () => import("./promote"))).registerPromote,
  },
  {
    name: "abort",
    description: "roll back the operation in flight now: every region that moved returns to where it was",
    load: async () => (await load("./abort", () => import("./abort"))).registerAbort,
  },
  {
    name: "resume",
    description:
      "continue the operation in flight from its first unfinished step (after a crash, Ctrl-C or failed rollback)",
    load: async () => (await load("./resume", () => import("./resume"))).registerResume,
  },
  {
    name: "validate",
    description:
      "validate a stack's config and check the policy pack against the resources the program would create",
    load: async () => (await load("./validate", () => import("./validate"))).registerValidate,
  },
  {
    name: "watch",
    description: "watch every region and fail over, hold out, readmit, repair and retry syncs on its own",
    load: async () => (await load("./watch", () => import("./watch"))).registerWatch,
  },
  {
    name: "check",
    description:
      "observe every region and print what the watcher would decide (failover, hold-out, repairs, sync retries); starts nothing",
    load: async () => (await load("./check", () => import("./check"))).registerCheck,
  },
  {
    name: "failover",
    description:
      "fail the writer over to a healthy secondary (unplanned: may lose the target's replication lag)",
    load: async () => (await load("./failover", () => import("./failover"))).registerFailover,
  },
  {
    name: "switchover",
    description: "move the writer to REGION with no data loss (needs its lag within database.rpoSeconds)",
    load: async () => (await load("./switchover", () => import("./switchover"))).registerSwitchover,
  },
  {
    name: "failback",
    description:
      "move the writer back to the region the last failover left, once it is healthy and connected (RPO 0)",
    load: async () => (await load("./failback", () => import("./failback"))).registerFailback,
  },
  {
    name: "replication",
    description: "show the global database's members and the replication retry queue",
    load: async () => (await load("./replication", () => import("./replication"))).registerReplication,
  },
  {
    name: "sync",
    description: "run the secondary regions' sync jobs now (default: every secondary)",
    load: async () => (await load("./sync", () => import("./sync"))).registerSync,
  },
  {
    name: "rotate-password",
    description: "set a new database master password on the writer's cluster, then in the database secret",
    load: async () =>
      (await load("./rotatePassword", () => import("./rotatePassword"))).registerRotatePassword,
  },
  {
    name: "iam-policy",
    description: "print the least-privilege IAM policy (JSON) for the AWS actions the controller calls",
    load: async () => (await load("./iamPolicy", () => import("./iamPolicy"))).registerIamPolicy,
  },
];

/** The command an argument list runs (`help NAME` included), or undefined. */
export function commandNamed(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return commands.find((c) => c.name === name);
}
