import { statSync } from 'node:fs'

/** Permission bits of a file or folder (`0o600`). */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777
}

/** `0o600` → `'600'`, for readable assertion messages. */
export function octal(mode: number): string {
  return mode.toString(8)
}
