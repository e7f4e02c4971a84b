/**
 * The random stream of the directory generator: a 32-bit Mersenne Twister (MT19937) giving 53-bit floats, the
 * same numbers as @faker-js/faker's `generateMersenne53Randomizer` for the same seed (test/seed/mersenne.test.ts
 * compares them). It lives here so the generator can import faker's locale modules alone: faker's main entry,
 * the only one that exports the randomizer, loads every locale faker ships (about 20 MB more memory).
 */

/** What faker's `randomizer` option needs. */
export interface Randomizer {
  next(): number;
  seed(seed: number | number[]): void;
}

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** init_genrand of the reference implementation. */
function initialState(seed: number): number[] {
  const state = new Array<number>(N);
  state[0] = seed;
  for (let i = 1; i !== N; ++i) {
    const prev = state[i - 1]! ^ (state[i - 1]! >>> 30);
    state[i] = Math.trunc(Math.imul(1812433253, prev) + i);
  }
  return state;
}

/** init_by_array of the reference implementation. */
function stateFromArray(key: readonly number[]): number[] {
  const state = initialState(19650218);
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k !== 0; --k) {
    const prev = state[i - 1]! ^ (state[i - 1]! >>> 30);
    state[i] = Math.trunc((state[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j);
    i++;
    j++;
    if (i >= N) {
      state[0] = state[N - 1]!;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k !== 0; k--) {
    state[i] = Math.trunc((state[i]! ^ Math.imul(state[i - 1]! ^ (state[i - 1]! >>> 30), 1566083941)) - i);
    i++;
    if (i >= N) {
      state[0] = state[N - 1]!;
      i = 1;
    }
  }
  state[0] = 0x80000000;
  return state;
}

/** The next 624 words of the state (in place). */
function twist(state: number[]): number[] {
  for (let k = 0; k !== N - M; ++k) {
    const y = (state[k]! & UPPER_MASK) + (state[k + 1]! & LOWER_MASK);
    state[k] = state[k + M]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  for (let k = N - M; k !== N - 1; ++k) {
    const y = (state[k]! & UPPER_MASK) + (state[k + 1]! & LOWER_MASK);
    state[k] = state[k + M - N]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  const y = (state[N - 1]! & UPPER_MASK) + (state[0]! & LOWER_MASK);
  state[N - 1] = state[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  return state;
}

/** A Mersenne Twister randomizer whose `next()` is a float in [0, 1) with 53 random bits. */
export function mersenne53(seed: number | number[]): Randomizer {
  let state = twist(typeof seed === 'number' ? initialState(seed) : stateFromArray(seed));
  let index = 0;
  const nextU32 = (): number => {
    let y = state[index]!;
    y ^= state[index]! >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    if (++index >= N) {
      state = twist(state);
      index = 0;
    }
    return y >>> 0;
  };
  return {
    next: () => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) * (1 / 9007199254740992),
    seed(value) {
      state = twist(typeof value === 'number' ? initialState(value) : stateFromArray(value));
      index = 0;
    },
  };
}
