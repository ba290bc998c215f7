/**
 * Seeded standard normal noise that is cheap enough for the local
 * reparameterisation trick, which needs one fresh draw per output element of
 * every variational layer (tens of millions per supergraph step).
 * `tf.randomNormal` with a seed draws through the Alea generator in double
 * arithmetic and the polar method, about 80 ns per value on one core; this
 * generator takes a few ns.
 *
 * Generator: four interleaved xoshiro128** streams (Blackman and Vigna 2018)
 * seeded through SplitMix32.
 * Normal values: the ziggurat method of Marsaglia and Tsang (2000, "The
 * ziggurat method for generating random variables", J. Stat. Softw. 5(8))
 * with 128 boxes: about 97 % of draws cost one 32-bit integer, a comparison
 * and a multiplication; the rest take the exact wedge or tail path. The same
 * seed gives the same values on every backend.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

// Ziggurat tables for 128 boxes (Marsaglia and Tsang 2000, zigset): the
// right edge of the base box R, the area v of each box, and per box i the
// acceptance bound kn[i], the scale wn[i] (box width / 2^31) and the density
// fn[i] at its edge.
const _R = 3.442619855899;
const _V = 9.91256303526217e-3;
const _KN = new Float64Array(128);
const _WN = new Float64Array(128);
const _FN = new Float64Array(128);
{
  const m1 = 2 ** 31;
  let dn = _R;
  let tn = dn;
  const q = _V / Math.exp(-0.5 * dn * dn);
  _KN[0] = Math.floor((dn / q) * m1);
  _KN[1] = 0;
  _WN[0] = q / m1;
  _WN[127] = dn / m1;
  _FN[0] = 1;
  _FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(_V / dn + Math.exp(-0.5 * dn * dn)));
    _KN[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    _FN[i] = Math.exp(-0.5 * dn * dn);
    _WN[i] = dn / m1;
  }
}

/**
 * Returns copies of the ziggurat's tables, 128 entries each: k (integer
 * thresholds, all below 2³¹), w (box widths per integer unit) and f (the
 * density at each box edge).
 */
export function zigguratTables(): { k: Uint32Array; w: Float64Array; f: Float64Array } {
  return { k: Uint32Array.from(_KN), w: _WN.slice(), f: _FN.slice() };
}

/**
 * A stream of N(0, 1) draws from one 32-bit seed. The integers come from
 * four xoshiro128** streams taken in turn (integer i from stream i mod 4),
 * whose 16 state words are consecutive SplitMix32 outputs of the seed. The
 * engine's WebAssembly kernel (native/kernels.c) advances the four streams
 * in one SIMD step and draws the same values.
 */
export class NormalStream {
  private readonly state = new Int32Array(16);
  private lane = 0;

  constructor(seed: number) {
    let counter = seed >>> 0;
    for (let i = 0; i < 16; i++) {
      counter = (counter + 0x9e3779b9) >>> 0;
      let z = counter;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = z ^ (z >>> 16);
    }
  }

  /** The next N(0, 1) draw. */
  next(): number {
    const hz = this.nextInt();
    const iz = hz & 127;
    if (Math.abs(hz) < _KN[iz]) return hz * _WN[iz];
    return this.slow(hz, iz);
  }

  /** The next integer of the sequence, signed 32-bit. */
  private nextInt(): number {
    const s = this.state;
    const o = this.lane * 4;
    this.lane = (this.lane + 1) & 3;

    const r = Math.imul(s[o + 1], 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s[o + 1] << 9;
    s[o + 2] ^= s[o];
    s[o + 3] ^= s[o + 1];
    s[o + 1] ^= s[o + 2];
    s[o] ^= s[o + 3];
    s[o + 2] ^= t;
    s[o + 3] = (s[o + 3] << 11) | (s[o + 3] >>> 21);
    return result;
  }

  /** A uniform draw in (0, 1) with 24 random bits. */
  private uniform(): number {
    return ((this.nextInt() >>> 8) + 0.5) * 5.960464477539063e-8;
  }

  /** The tail (box 0) and wedge cases of the ziggurat (nfix in the paper). */
  private slow(hz: number, iz: number): number {
    for (;;) {
      if (iz === 0) {
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / _R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return hz > 0 ? _R + x : -_R - x;
      }

      const x = hz * _WN[iz];
      if (_FN[iz] + this.uniform() * (_FN[iz - 1] - _FN[iz]) < Math.exp(-0.5 * x * x)) return x;

      hz = this.nextInt();
      iz = hz & 127;
      if (Math.abs(hz) < _KN[iz]) return hz * _WN[iz];
    }
  }
}

/** Returns N(0, 1) values of `shape` drawn from `seed` (a 32-bit integer). */
export function seededNormal<R extends tf.Rank>(shape: tf.ShapeMap[R], seed: number): tf.Tensor<R> {
  const size = (shape as number[]).reduce((product, length) => product * length, 1);
  const values = new Float32Array(size);
  fillNormal(values, seed);
  // The shape is checked against the values at run time; the cast only satisfies the rank typing.
  const flatShape = shape as unknown as [number];
  return tf.tensor(values, flatShape, "float32") as unknown as tf.Tensor<R>;
}

/** Fills `values` with N(0, 1) draws from `seed`. */
export function fillNormal(values: Float32Array, seed: number): void {
  const stream = new NormalStream(seed);
  for (let i = 0; i < values.length; i++) values[i] = stream.next();
}
