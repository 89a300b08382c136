export { errorResponse, idempotencyKeyOf, isFinalError, runIdempotent, sendIdempotent } from "./http.js";
export { startIdempotencyPurge } from "./purge.js";
export {
  beginIdempotent,
  claimOf,
  type IdempotencyClaim,
  type IdempotencyRequest,
  purgeIdempotencyKeys,
  releaseIdempotent,
  requestHash,
  type StoredResponse,
} from "./store.js";
