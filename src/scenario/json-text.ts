/**
 * What JSON.parse lets through silently, checked on the text it accepted: a key given twice in one
 * object (JSON.parse keeps the last, so an earlier bad value vanishes unseen) and a number literal
 * too small for a double (1e-400 parses as 0: "a tiny β" would silently become "no β"). One linear
 * pass over text already known to be valid JSON; errors name the key path like the validator does.
 */
import { InputError } from "../errors.js";

interface Frame {
  /** Keys seen so far (objects), or null (arrays). */
  keys: Set<string> | null;
  path: string;
  /** Arrays: the index of the next element. */
  index: number;
  /** Objects: the key whose value comes next. */
  key: string | null;
}

function child(frame: Frame | undefined): string {
  if (!frame) return "";
  if (frame.keys === null) return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : (frame.key ?? "");
}

/** A character of a JSON number literal after its first: 0-9 e E . + - (no RegExp per literal: scenarios carry 10⁵ numbers). */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x65 || c === 0x45 || c === 0x2e || c === 0x2b || c === 0x2d;
}

/** An array of numbers only, from its "[" to its "]" (sticky: tried at one position). */
const NUMBER_ARRAY = /\[[-+0-9.eE,\s]*\]/y;
/**
 * What a nonzero literal that parses as 0 (below 2^−1075 ≈ 2.5e−324) contains: a negative exponent of
 * 3 digits or more, or else (exponent ≥ −99) a mantissa 0.000… with at least 224 zeros after the
 * point. Two searches (the zeros' one a plain string's) are ~3× faster than one alternation.
 */
const TINY_EXPONENT = /[eE]-[0-9]{3}/;
const TINY_ZEROS = /0{100}/;

/**
 * The end (after its "]") of the array of numbers at `at` that holds no literal the underflow check
 * needs to read, or −1. The regular expressions run in compiled code: the check of a V = 65 536
 * scenario (2.9 MB) took ~37 ms character by character in a cold process, ~6 ms so.
 */
function plainNumberArrayEnd(text: string, at: number): number {
  NUMBER_ARRAY.lastIndex = at;
  if (!NUMBER_ARRAY.test(text)) return -1;
  const end = NUMBER_ARRAY.lastIndex;
  const numbers = text.slice(at, end);
  return TINY_EXPONENT.test(numbers) || TINY_ZEROS.test(numbers) ? -1 : end;
}

/** Throws InputError for a duplicate key or an underflowing number in `text` (valid JSON). */
export function checkJsonText(text: string): void {
  const stack: Frame[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */) {
      // numbers only, none that could underflow: nothing in it to check (no keys, no tiny literal)
      const end = plainNumberArrayEnd(text, i);
      if (end >= 0) {
        i = end - 1;
        expectingKey = false;
        continue;
      }
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ keys: c === 0x7b ? new Set() : null, path: child(stack[stack.length - 1]), index: 0, key: null });
      expectingKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectingKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys === null) top.index++;
      expectingKey = top?.keys !== null;
    } else if (c === 0x22 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectingKey && top?.keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          const where = top.path ? `${top.path}.${key}` : key;
          throw new InputError("duplicate key (JSON keeps only the last value; give each key once)", where);
        }
        top.keys.add(key);
        top.key = key;
        expectingKey = false;
      }
      i = end;
    } else if ((c >= 0x30 && c <= 0x39) || c === 0x2d /* - */) {
      let end = i + 1;
      let nonzero = c >= 0x31 && c <= 0x39; // a digit 1–9 in the mantissa
      let exponent = false;
      let negative = false; // the exponent's sign
      let magnitude = 0; // the exponent's digits, capped
      for (; end < text.length && isNumberChar(text.charCodeAt(end)); end++) {
        const d = text.charCodeAt(end);
        if (d === 0x65 || d === 0x45 /* e E */) exponent = true;
        else if (!exponent && d >= 0x31 && d <= 0x39) nonzero = true;
        else if (exponent && d === 0x2d /* - */) negative = true;
        else if (exponent && d >= 0x30 && d <= 0x39) magnitude = Math.min(1e6, magnitude * 10 + d - 0x30);
      }
      // A nonzero mantissa of L characters is at least 10^−L, so the literal is at least 10^−(L + E)
      // with E its negative exponent: only L + E > 323 can fall below the smallest double (~4.9e−324).
      // Converted from L + E ≥ 300 (a margin: "." and "e-" count in L), the rest are not converted
      // (a scenario's 10⁵ numbers like 1.05e-05 took ~10 ms).
      const length = end - i;
      if (nonzero && length + (negative ? magnitude : 0) >= 300 && Number(text.slice(i, end)) === 0) {
        const literal = text.slice(i, end);
        throw new InputError(`${literal} is too small for a double and would become 0; write 0 or a number ≥ 1e-300`, child(stack[stack.length - 1]));
      }
      i = end - 1;
    }
  }
}
