/**
 * Error brands: an app can hold two copies of `@mxcp/auth-core` (a provider or store package that
 * resolved its own copy), and an error thrown by one copy must still be recognised by the other,
 * or a dead upstream token or a database outage turns into a 500. Each branded class marks its
 * instances with a `Symbol.for('mxcp.error.<kind>')` key, which every copy in the process shares,
 * and answers `instanceof` (and `X.is()`) by that brand as well as by its prototype chain.
 */

/** Where a branded class keeps its own brand symbol. */
const CLASS_BRAND: unique symbol = Symbol.for('mxcp.error.class-brand')

type Branded = { [CLASS_BRAND]?: symbol }

/** The shared symbol of a kind of error, e.g. `mxcp.error.store-unavailable`. */
export function errorBrand(kind: string): symbol {
  return Symbol.for(`mxcp.error.${kind}`)
}

/** True when `value` carries `brand` (its class, or a class it extends, was branded with it). */
export function hasErrorBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
}

/**
 * `instanceof` for branded classes: the ordinary prototype check, or the class's own brand on the
 * value. A subclass that was not branded itself gets only the ordinary check (its instances from
 * another copy are not told apart from its parent's).
 */
function brandedInstanceOf(this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
  const brand = Object.hasOwn(this, CLASS_BRAND) ? (this as Branded)[CLASS_BRAND] : undefined
  return brand !== undefined && hasErrorBrand(value, brand)
}

/**
 * Brands `errorClass` as `mxcp.error.<kind>`: its instances (and its subclasses' instances) carry
 * the brand, and `value instanceof errorClass` holds for an instance from any copy of the package.
 */
export function brandError(errorClass: abstract new (...args: never[]) => Error, kind: string): void {
  const brand = errorBrand(kind)
  Object.defineProperty(errorClass.prototype, brand, { value: true })
  Object.defineProperty(errorClass, CLASS_BRAND, { value: brand })
  Object.defineProperty(errorClass, Symbol.hasInstance, { value: brandedInstanceOf })
}

/** The static `is()` of branded classes: `StoreUnavailableError.is(error)`, true across copies. */
export function isInstance<T>(errorClass: abstract new (...args: never[]) => T, value: unknown): value is T {
  return value instanceof errorClass
}
