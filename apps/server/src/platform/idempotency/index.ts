export { errorResponse, idempotencyKeyOf, isFinalError, runIdempotent, sendIdempotent } from "./http.js";
export { startIdempotencyPurge } from "./purge.js";
export {
  beginIdempotent,
  claimMany,
  claimOf,
  completeMany,
  type IdempotencyClaim,
  type IdempotencyRequest,
  purgeIdempotencyKeys,
  releaseIdempotent,
  releaseMany,
  requestHash,
  type StoredResponse,
} from "./store.js";
