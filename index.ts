import * as pulumi from "@pulumi/pulumi";
import { buildEnvironment } from "./components/environment";
import { readProgramState } from "./components/programState";
import { readStackConfig } from "./components/stackConfig";
import { stateStoreTableFor } from "./components/stateStoreTable";

// The regionctl program: desired state from the stack config, operational state (writer, slots,
// drained regions) from the controller's store, one environment built from both.
const config = readStackConfig();

const environment = pulumi.output(
  readProgramState(config).then(
    (state) => buildEnvironment(config, state),
    (e: Error) => {
      throw new pulumi.RunError(e.message);
    },
  ),
);

export const writer = environment.writer;
export const routing = environment.routing;
export const dnsName = environment.dnsName;
export const globalClusterId = environment.globalClusterId;
export const writerEndpoint = environment.writerEndpoint;
export const databaseSecretArn = environment.databaseSecretArn;
/**
 * Per region: role, endpoint, healthCheckId, clusterArn, clusterEndpoint, readerEndpoint and, where
 * a watcher runs, watcherRoleArn.
 */
export const regions = environment.regions;
/** With `dns.control: arc`: clusterArn, clusterEndpoints, controlPanelArn, routingControlArns by region. */
export const arc = config.dns.control === "arc" ? environment.arc : undefined;
/** The DynamoDB state store's table, when the config keeps the operational state there. */
export const stateStoreTableArn = stateStoreTableFor(config)?.tableArn;
