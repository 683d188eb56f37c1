// The AMQP side of the hub: the broker connection (reconnect, back-off, topology re-asserted on
// every connect) and the relay between agencies — one submit path, the outbox publisher with
// confirms, hosted agencies' inboxes, per-recipient delivery state. Durability lives in the
// database outbox, never in this process's memory.
export { createBrokerConnection, type BrokerConnection, type BrokerState } from './broker-connection.ts';
export { createRelayService, type RelayService } from './relay-service.ts';
export { submitPackage, type Submitter, type SubmitOutcome } from './submit-package.ts';
export { cachedTrust } from './trust-cache.ts';
export type { RelayDeps } from './relay-deps.ts';
export {
  brokerUserOf,
  deadLetterDepth,
  inboxStates,
  issuePartnerBrokerAccess,
  managementApiProblem,
  organIdOfBrokerUser,
  vhostOf,
  type InboxState,
  type PartnerBrokerAccess,
} from './broker-users.ts';
export { EXCHANGES, QUEUES } from './topology.ts';
export { inboxQueueOf, inboxQueuesOf, legacyInboxQueue } from './inbox-names.ts';
export {
  DELIVERY_STATES,
  resendTransition,
  transition,
  type DeliveryState,
} from './domain/delivery-state.ts';
export {
  discardDeadLetter,
  packageForActor,
  readDeadLetter,
  relayOverview,
  requeueDeadLetter,
  resendFailedDeliveries,
  submitterOrganId,
  type DeadLetterDiscardOutcome,
  type DeadLetterRequeueOutcome,
  type DeadLetterView,
  type PackageView,
  type RelayOverview,
  type ResendOutcome,
} from './relay-admin.ts';
export { failDeliveryOnBounce } from './apply-status.ts';
export { createDeadLetters, type DeadLetter, type DeadLetters, type HeldDeadLetter } from './dead-letters.ts';
export type { DeadLetterPayload, PayloadSummary } from './dead-letter-payload.ts';
export {
  deliveriesOfDocument,
  looksLikePdf,
  maxOutgoingPdfBytes,
  sendOutgoingDocument,
  type DeliveryView,
  type OutgoingDeps,
  type OutgoingInput,
  type OutgoingOutcome,
} from './send-outgoing.ts';
export {
  listSentFiles,
  readSentFile,
  type SentFile,
  type SentFileLimits,
  type SentFileOutcome,
  type SentFilesOutcome,
} from './sent-files.ts';
export { relayThroughput, type ThroughputMinute } from './relay-throughput.ts';
export {
  listRelayRefusals,
  type RelayRefusalFilter,
  type RelayRefusalPage,
  type RelayRefusalView,
} from './relay-refusals.ts';
export {
  createAxisService,
  type AxisService,
  type AxisSettings,
  type AxisState,
} from './national/axis-service.ts';
export { createAxisClient, type AxisClient } from './national/axis-client.ts';
