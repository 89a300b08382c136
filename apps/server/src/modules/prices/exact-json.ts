/**
 * JSON with exact numbers. Price APIs send prices as JSON numbers (`{"usd":67187.33}`); `JSON.parse` would
 * turn them into floats and lose digits (and JSON.parse's source-text access is not in Node 20). So we read
 * the raw text: every number token outside a string is wrapped in quotes before parsing, and comes out as
 * the exact digits the API sent, as a string. Exponent forms ("1.2e-5") are expanded by `plainDecimal`.
 */
export function parseJsonExact(text: string): unknown {
  let out = "";
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i = skipString(text, i);
      continue;
    }
    if (ch === 45 /* - */ || (ch >= 48 && ch <= 57)) {
      const start = i;
      i += 1;
      while (i < n && isNumberChar(text.charCodeAt(i))) i += 1;
      out += `${text.slice(copiedUpTo, start)}"${text.slice(start, i)}"`;
      copiedUpTo = i;
      continue;
    }
    i += 1;
  }
  out += text.slice(copiedUpTo);
  return JSON.parse(out);
}

function isNumberChar(c: number): boolean {
  // digits . e E + -
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

/** Index just past the string literal that starts at `start` (a quote), honouring backslash escapes. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i += 1;
  }
  return i;
}

const NUMBER = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A JSON number's text as a plain decimal string, exactly ("1.5e-3" → "0.0015", "2E+2" → "200"). Throws on
 * anything that is not a JSON number. Exponents beyond ±400 are refused: no price needs them.
 */
export function plainDecimal(token: string): string {
  const match = NUMBER.exec(token);
  if (!match) throw new Error(`"${token}" is not a number`);
  const sign = match[1] ?? "";
  let digits = `${match[2]}${match[3] ?? ""}`;
  let point = (match[2] ?? "").length + Number(match[4] ?? "0");
  if (Math.abs(point) > 400) throw new Error(`"${token}" is out of range`);
  if (point <= 0) {
    digits = `${"0".repeat(1 - point)}${digits}`;
    point = 1;
  } else if (point > digits.length) {
    digits = digits.padEnd(point, "0");
  }
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const fraction = digits.slice(point);
  return fraction.length > 0 ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
