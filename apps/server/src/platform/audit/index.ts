export { type AuditActor, type AuditEntry, auditActorOf, recordAudit, SYSTEM_ACTOR } from "./audit-log.js";
