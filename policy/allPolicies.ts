import type { Policies } from "@pulumi/policy";
import { auroraAdminUsername } from "./policies/auroraAdminUsername";
import { auroraBackupRetention } from "./policies/auroraBackupRetention";
import {
  auroraDeletionProtection,
  auroraDeletionProtectionNonProd,
} from "./policies/auroraDeletionProtection";
import { auroraEncryptionRegionalKms } from "./policies/auroraEncryptionRegionalKms";
import { auroraGlobalClusterRegions } from "./policies/auroraGlobalClusterRegions";
import { auroraGlobalEngineVersions } from "./policies/auroraGlobalEngineVersions";
import { auroraIamAuthentication } from "./policies/auroraIamAuthentication";
import { auroraLogExports } from "./policies/auroraLogExports";
import { auroraNoPublicInstances } from "./policies/auroraNoPublicInstances";
import { controlPlaneWatcherRegions } from "./policies/controlPlaneWatcherRegions";
import { databasePasswordSecret } from "./policies/databasePasswordSecret";
import { databasePortNotPublic } from "./policies/databasePortNotPublic";
import { databaseSecretCmk } from "./policies/databaseSecretCmk";
import { databaseSecretReplicated } from "./policies/databaseSecretReplicated";
import { databaseSecretRotation } from "./policies/databaseSecretRotation";
import { kubernetesDeploymentProbesLimits } from "./policies/kubernetesDeploymentProbesLimits";
import { kmsKeyRotation } from "./policies/kmsKeyRotation";
import { kubernetesImageDigest } from "./policies/kubernetesImageDigest";
import { kubernetesSecurityContext } from "./policies/kubernetesSecurityContext";
import { kubernetesSyncCronJobForbid } from "./policies/kubernetesSyncCronJobForbid";
import { route53HealthCheckHttps } from "./policies/route53HealthCheckHttps";
import { route53HealthCheckTiming } from "./policies/route53HealthCheckTiming";
import { route53HealthCheckedTtl } from "./policies/route53HealthCheckedTtl";
import { route53RoutedRecordsHealthChecked } from "./policies/route53RoutedRecordsHealthChecked";
import { stackFailoverPrimary } from "./policies/stackFailoverPrimary";
import { stackFailoverSecondary } from "./policies/stackFailoverSecondary";
import { stackRegionCoverage } from "./policies/stackRegionCoverage";
import { stackSingleWriter } from "./policies/stackSingleWriter";

/** Every policy of the pack, in the order they are reported. Shared by the pack and `regionctl validate`. */
export const policies: Policies = [
  auroraEncryptionRegionalKms,
  auroraDeletionProtection,
  auroraDeletionProtectionNonProd,
  auroraBackupRetention,
  auroraNoPublicInstances,
  auroraGlobalClusterRegions,
  auroraIamAuthentication,
  auroraAdminUsername,
  auroraLogExports,
  auroraGlobalEngineVersions,
  kmsKeyRotation,
  route53RoutedRecordsHealthChecked,
  route53HealthCheckTiming,
  route53HealthCheckedTtl,
  route53HealthCheckHttps,
  kubernetesDeploymentProbesLimits,
  kubernetesSyncCronJobForbid,
  kubernetesSecurityContext,
  kubernetesImageDigest,
  databasePasswordSecret,
  databasePortNotPublic,
  databaseSecretCmk,
  databaseSecretRotation,
  databaseSecretReplicated,
  stackRegionCoverage,
  stackSingleWriter,
  stackFailoverPrimary,
  stackFailoverSecondary,
  controlPlaneWatcherRegions,
];

/** Enforcement of policies that do not set their own; the pack's default, as in index.ts. */
export const PACK_ENFORCEMENT = "mandatory" as const;
export const PACK_NAME = "regionctl";
