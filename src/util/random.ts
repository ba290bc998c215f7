/**
 * A small seeded pseudo-random number generator shared by the data pipeline,
 * search and training code, so that one seed reproduces a run.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator
 * from the PractRand suite): 128 bits of state, 32-bit outputs. The four state
 * words are filled from the seed by splitmix32, so nearby seeds give unrelated
 * streams.
 *
 * @module
 */

const _TWO_TO_THE_32 = 4294967296;

/** A seeded generator of uniform, integer and normal variates. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** Creates a generator from a 32-bit integer seed; other numbers are reduced modulo 2^32. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Cannot seed Rng with ${seed}: the seed must be a finite number.`);
    }

    let mix = Math.trunc(seed) >>> 0;
    const nextMixed = () => {
      // splitmix32: a Weyl sequence passed through an integer hash.
      mix = (mix + 0x9e3779b9) >>> 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };

    this.#a = nextMixed();
    this.#b = nextMixed();
    this.#c = nextMixed();
    this.#d = nextMixed();
  }

  /** Returns the next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = (this.#b ^ (this.#b >>> 9)) >>> 0;
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Returns a uniform number in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / _TWO_TO_THE_32;
  }

  /** Returns a uniform integer in [0, n); `n` must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > _TWO_TO_THE_32) {
      throw new RangeError(`Cannot draw an integer below ${n}: n must be an integer in [1, 2^32].`);
    }

    return Math.floor(this.next() * n);
  }

  /** Returns a standard normal variate (Box-Muller transform, one draw of the pair). */
  normal(): number {
    // 1 - next() lies in (0, 1], so the logarithm stays finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Returns the four state words, for checkpoints; `Rng.fromState` restores them. */
  state(): number[] {
    return [this.#a, this.#b, this.#c, this.#d];
  }

  /** Restores a generator from the words returned by `state()`. */
  static fromState(state: readonly number[]): Rng {
    const valid = state.length === 4 &&
      state.every((word) => Number.isInteger(word) && word >= 0 && word < _TWO_TO_THE_32);
    if (!valid) {
      throw new RangeError(
        `Cannot restore Rng from state ${
          JSON.stringify(state)
        }: expected four 32-bit unsigned integers.`,
      );
    }

    const rng = new Rng(0);
    [rng.#a, rng.#b, rng.#c, rng.#d] = state;
    return rng;
  }
}
