const HEX = '0123456789abcdef'

/** Hex digits of the hash that make a key: 44 bits, so a key times `KEY_SLOTS` is a safe integer. */
const KEY_DIGITS = 11

/**
 * Keys a hash may take, from its base on: two hashes alike in their first 11 hex digits (at a
 * million tokens, a few stores in a hundred hold one such pair) take the next free key after the
 * base. With 44 random bits in the base, 257 hashes alike are out of reach; the insert refuses
 * the 257th rather than store it where the lookup would not search.
 */
export const KEY_SLOTS = 256

/**
 * The lowest `token_key` of a token hash: its first 11 hex digits as an integer, times
 * `KEY_SLOTS`. Defined digit by digit (a character that is no lowercase hex digit counts as -1,
 * a missing one as 0) so that migration 0004 computes the same in SQL (`instr`, `substr`) for
 * whatever the table held; the store itself only ever holds SHA-256 hex.
 */
export function tokenKeyBase(tokenHash: string): number {
  let key = 0
  for (let i = 0; i < KEY_DIGITS; i++) key = key * 16 + HEX.indexOf(tokenHash.charAt(i))
  return key * KEY_SLOTS
}
