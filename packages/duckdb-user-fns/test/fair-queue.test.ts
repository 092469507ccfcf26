import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FairQueue } from '../src/fair-queue.js'

test('a caller gets a free item its holder held last, else the one free longest', async () => {
  const queue = new FairQueue(['a', 'b', 'c'])
  const forX = await queue.acquire('x')
  const forY = await queue.acquire('y')
  assert.deepEqual([forX, forY], ['a', 'b'])
  queue.release(forX, 'x')
  queue.release(forY, 'y')
  // Free now: c (never held), a (x's), b (y's).
  assert.equal(await queue.acquire('y'), 'b')
  assert.equal(await queue.acquire('z'), 'c')
  assert.equal(await queue.acquire('x'), 'a')
})

test('the preference for a holder’s own item never lets it pass a waiter or its share', async () => {
  const queue = new FairQueue(['a', 'b'], { perHolder: 1 })
  const forX = await queue.acquire('x')
  const forY = await queue.acquire('y')
  const served: string[] = []
  const waiting = [
    queue.acquire('x').then((item) => served.push(`x:${item}`)),
    queue.acquire('z').then((item) => served.push(`z:${item}`)),
  ]
  // x's item comes back while x waits: the first waiter (x itself) gets it, z waits for y's.
  queue.release(forX, 'x')
  await Promise.resolve()
  assert.deepEqual(served, ['x:a'])
  queue.release(forY, 'y')
  await Promise.all(waiting)
  assert.deepEqual(served, ['x:a', 'z:b'])
})
