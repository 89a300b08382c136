import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/** Cost of new hashes: N=2^14, r=8, p=1 takes ~50 ms and 16 MiB here. Stored with each hash, so it can grow. */
const COST = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r * cost.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A salted scrypt hash as `scrypt$N$r$p$salt$key` (base64url), carrying its own parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface ParsedHash {
  cost: typeof COST;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const key = Buffer.from(parts[5] ?? "", "base64url");
  // Bounds keep a corrupted row from turning one sign-in into a memory or CPU bomb.
  const sane =
    N !== undefined &&
    r !== undefined &&
    p !== undefined &&
    Number.isInteger(Math.log2(N)) &&
    N >= 1024 &&
    N <= 1_048_576 &&
    r >= 1 &&
    r <= 32 &&
    p >= 1 &&
    p <= 16 &&
    salt.length >= 8 &&
    key.length === KEY_LENGTH;
  return sane ? { cost: { N, r, p }, salt, key } : null;
}

/** Salt of the hash computed for a sign-in that has no real hash to check against. */
const DUMMY_SALT = randomBytes(SALT_BYTES);

/**
 * True when `password` matches `stored`, compared in constant time. A missing user (`stored` null) or an
 * unusable hash still costs one full hash, so a wrong email takes as long as a wrong password.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored === null ? null : parseHash(stored);
  if (!parsed) {
    await derive(password, DUMMY_SALT, COST);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}
