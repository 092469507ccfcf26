/**
 * Where `converted` holds a different number than `original` did: typebox's `Value.Convert`
 * truncates `1.5` to `1` for an integer key, which would let `cache_ttl: 1.5` through as 1 second.
 * Returns the dotted key paths (under `prefix`) of such values, so they are refused instead.
 */
export function changedNumbers(original: unknown, converted: unknown, prefix: string): string[] {
  if (typeof original === 'number') {
    return typeof converted === 'number' && converted !== original && !Number.isNaN(original) ? [prefix] : []
  }
  if (typeof original !== 'object' || original === null) return []
  if (typeof converted !== 'object' || converted === null) return []
  const found: string[] = []
  for (const [key, value] of Object.entries(original)) {
    const path = prefix ? `${prefix}.${key}` : key
    found.push(...changedNumbers(value, (converted as Record<string, unknown>)[key], path))
  }
  return found
}
