export {
  type AuditActor,
  type AuditEntry,
  auditActorOf,
  recordAudit,
  recordAudits,
  SYSTEM_ACTOR,
} from "./audit-log.js";
export { chainHash, GENESIS_HASH } from "./chain.js";
export { AuditSealer, sealAuditLog } from "./sealer.js";
export { type AuditChainReport, verifyAuditChain } from "./verify.js";
