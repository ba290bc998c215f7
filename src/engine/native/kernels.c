/*
 * Hot loops of the engine compiled to WebAssembly (see build.ts). The module
 * imports the memory of tfjs's wasm backend, so every pointer below is an
 * address in that heap: the loops read and write tensors in place.
 *
 * Rules that keep the module safe to load into a heap it does not own:
 * - no static data, and no local whose address escapes, so that the module
 *   has no data segment and never moves its stack pointer. Small local
 *   arrays are fine only while clang keeps them in registers, which
 *   build.ts checks on every build;
 * - no libc: log and exp come from the host (Math.log, Math.exp), so draws
 *   are bit-identical to the JavaScript generator in random_normal.ts.
 */

#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

IMPORT("log") double host_log(double x);
IMPORT("exp") double host_exp(double x);

/* ---- Normal draws: four interleaved xoshiro128** streams and the ziggurat ---- */

/*
 * The integer sequence is four xoshiro128** streams (Blackman and Vigna
 * 2018) taken in turn: integer k comes from stream k mod 4. Their 16 state
 * words are consecutive SplitMix32 outputs of the seed. Four streams let one
 * SIMD step produce four integers; random_normal.ts draws the same sequence.
 */

#include <wasm_simd128.h>

/* Tail start of the 128-box ziggurat (Marsaglia and Tsang 2000). */
#define ZIGGURAT_R 3.442619855899

/* Capacity of the caller's integer buffer. */
#define CAPACITY 128

typedef struct {
  v128_t s0, s1, s2, s3;
  int32_t *buffer; /* CAPACITY integers in the caller's scratch memory */
  int position;    /* next unread integer */
  int end;         /* one past the last generated integer */
} Stream;

static inline uint32_t split_next(uint32_t *counter) {
  *counter += 0x9e3779b9u;
  uint32_t z = *counter;
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}

static inline v128_t rotl4(v128_t x, int k) {
  return wasm_v128_or(wasm_i32x4_shl(x, k), wasm_u32x4_shr(x, 32 - k));
}

/* One step of the four streams: the next four integers of the sequence. */
static inline void stream_step(Stream *s, int32_t *destination) {
  v128_t result = wasm_i32x4_mul(rotl4(wasm_i32x4_mul(s->s1, wasm_i32x4_splat(5)), 7),
                                 wasm_i32x4_splat(9));
  v128_t t = wasm_i32x4_shl(s->s1, 9);
  s->s2 = wasm_v128_xor(s->s2, s->s0);
  s->s3 = wasm_v128_xor(s->s3, s->s1);
  s->s1 = wasm_v128_xor(s->s1, s->s2);
  s->s0 = wasm_v128_xor(s->s0, s->s3);
  s->s2 = wasm_v128_xor(s->s2, t);
  s->s3 = rotl4(s->s3, 11);
  wasm_v128_store(destination, result);
}

/* Makes at least `count` (at most 4) unread integers available, in order. */
static inline void stream_ensure(Stream *s, int count) {
  if (s->position + count <= s->end) return;
  int left = s->end - s->position;
  for (int i = 0; i < left; i++) s->buffer[i] = s->buffer[s->position + i];
  int end = left;
  while (end + 4 <= CAPACITY) {
    stream_step(s, s->buffer + end);
    end += 4;
  }
  s->position = 0;
  s->end = end;
}

static inline void stream_seed(Stream *s, uint32_t seed, int32_t *buffer) {
  uint32_t counter = seed;
  uint32_t w[16];
  for (int i = 0; i < 16; i++) w[i] = split_next(&counter);
  /* Stream j has state words w[4j .. 4j+3], and lane j of s_i contains word i of stream j. */
  s->s0 = wasm_i32x4_make(w[0], w[4], w[8], w[12]);
  s->s1 = wasm_i32x4_make(w[1], w[5], w[9], w[13]);
  s->s2 = wasm_i32x4_make(w[2], w[6], w[10], w[14]);
  s->s3 = wasm_i32x4_make(w[3], w[7], w[11], w[15]);
  s->buffer = buffer;
  s->position = 0;
  s->end = 0;
}

static inline int32_t stream_int(Stream *s) {
  stream_ensure(s, 1);
  return s->buffer[s->position++];
}

/* A uniform draw in (0, 1) with 24 random bits. */
static inline double stream_uniform(Stream *s) {
  return ((double)((uint32_t)stream_int(s) >> 8) + 0.5) * 5.960464477539063e-8;
}

/*
 * The ziggurat's tables as the caller lays them out: w and f as 128 doubles
 * each, then k as 128 unsigned integers (all below 2^31).
 */
typedef struct {
  const double *w, *f;
  const uint32_t *k;
} Tables;

static inline Tables tables_at(const double *tables) {
  Tables t = {tables, tables + 128, (const uint32_t *)(tables + 256)};
  return t;
}

/* |hz| as an unsigned integer, exact for INT32_MIN too. */
static inline uint32_t magnitude(int32_t hz) { return hz < 0 ? 0u - (uint32_t)hz : (uint32_t)hz; }

/* One N(0, 1) draw; the first integer is already read. */
static inline __attribute__((always_inline)) double normal_from(Stream *s, int32_t hz, Tables t) {
  int iz = hz & 127;
  if (magnitude(hz) < t.k[iz]) return (double)hz * t.w[iz];

  /* The tail (box 0) and wedge cases (nfix in Marsaglia and Tsang). */
  for (;;) {
    if (iz == 0) {
      double x, y;
      do {
        x = -host_log(stream_uniform(s)) / ZIGGURAT_R;
        y = -host_log(stream_uniform(s));
      } while (y + y < x * x);
      return hz > 0 ? ZIGGURAT_R + x : -ZIGGURAT_R - x;
    }

    double x = (double)hz * t.w[iz];
    if (t.f[iz] + stream_uniform(s) * (t.f[iz - 1] - t.f[iz]) < host_exp(-0.5 * x * x)) return x;

    hz = stream_int(s);
    iz = hz & 127;
    if (magnitude(hz) < t.k[iz]) return (double)hz * t.w[iz];
  }
}

/*
 * Writes n draws, rounded to float32, to `out`. Four draws at a time take
 * the fast path together when all four integers fall inside their boxes
 * (about 90 % of blocks). Otherwise the four are drawn one by one. That is
 * the same computation in the same order, so the values do not depend on
 * the blocking.
 */
static inline void normal_fill(float *out, int32_t n, uint32_t seed, const double *tables,
                               int32_t *scratch) {
  Tables t = tables_at(tables);
  Stream s;
  stream_seed(&s, seed, scratch);
  const v128_t box = wasm_i32x4_splat(127);

  int32_t i = 0;
  while (i < n) {
    if (n - i >= 4) {
      stream_ensure(&s, 4);
      v128_t hz = wasm_v128_load(s.buffer + s.position);
      v128_t iz = wasm_v128_and(hz, box);
      int b0 = wasm_i32x4_extract_lane(iz, 0), b1 = wasm_i32x4_extract_lane(iz, 1);
      int b2 = wasm_i32x4_extract_lane(iz, 2), b3 = wasm_i32x4_extract_lane(iz, 3);
      v128_t limit = wasm_u32x4_make(t.k[b0], t.k[b1], t.k[b2], t.k[b3]);
      if (wasm_i32x4_all_true(wasm_u32x4_lt(wasm_i32x4_abs(hz), limit))) {
        v128_t low = wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(hz), wasm_f64x2_make(t.w[b0], t.w[b1]));
        v128_t high = wasm_f64x2_mul(
            wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(hz, hz, 2, 3, 2, 3)),
            wasm_f64x2_make(t.w[b2], t.w[b3]));
        v128_t values = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(low),
                                           wasm_f32x4_demote_f64x2_zero(high), 0, 1, 4, 5);
        wasm_v128_store(out + i, values);
        s.position += 4;
        i += 4;
        continue;
      }
    }
    int32_t stop = n - i < 4 ? n : i + 4;
    for (; i < stop; i++) out[i] = (float)normal_from(&s, stream_int(&s), t);
  }
}

/*
 * The LRT sampling step in float32: e ~ N(0, 1) from `seed` (rounded to
 * float32), std = sqrt(variance + eps), y = mean + e·std, ratio = e / std.
 * `tables` is laid out as in Tables and `scratch` has room for CAPACITY integers.
 * The draws go into `ratio` first; one SIMD pass then computes both outputs.
 */
EXPORT("lrt_sample")
void lrt_sample(const float *mean, const float *variance, float *y, float *ratio, int32_t n,
                uint32_t seed, float eps, const double *tables, int32_t *scratch) {
  normal_fill(ratio, n, seed, tables, scratch);

  v128_t epsilon = wasm_f32x4_splat(eps);
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t e = wasm_v128_load(ratio + i);
    v128_t std = wasm_f32x4_sqrt(wasm_f32x4_add(wasm_v128_load(variance + i), epsilon));
    wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(mean + i), wasm_f32x4_mul(e, std)));
    wasm_v128_store(ratio + i, wasm_f32x4_div(e, std));
  }
  for (; i < n; i++) {
    float e = ratio[i];
    float std = __builtin_sqrtf(variance[i] + eps);
    y[i] = mean[i] + e * std;
    ratio[i] = e / std;
  }
}

/* N(0, 1) draws from `seed`, rounded to float32 (seeded noise tensors). */
EXPORT("normal_fill")
void normal_fill_export(float *out, int32_t n, uint32_t seed, const double *tables,
                        int32_t *scratch) {
  normal_fill(out, n, seed, tables, scratch);
}

/* ---- Depthwise convolution gradients (NHWC, channel multiplier 1) ---- */

/*
 * Geometry shared by the depthwise kernels. Channels must be a multiple of 4
 * (one SIMD vector per 4 channels); callers fall back to other kernels
 * otherwise.
 */
typedef struct {
  int32_t batch, height, width, channels;
  int32_t out_height, out_width;
  int32_t kernel_height, kernel_width;
  int32_t stride, dilation, pad_top, pad_left;
} Geometry;

/* Output columns [first, last) whose tap column b lands inside the input. */
static inline __attribute__((always_inline)) void tap_columns(const Geometry *g, int32_t b, int32_t *first, int32_t *last) {
  int32_t shift = b * g->dilation - g->pad_left;
  int32_t lo = shift >= 0 ? 0 : (-shift + g->stride - 1) / g->stride;
  int32_t hi = (g->width - 1 - shift) >= 0 ? (g->width - 1 - shift) / g->stride + 1 : 0;
  *first = lo;
  *last = hi < g->out_width ? hi : g->out_width;
}

/*
 * Filter gradients: theta_sum[a, b, c] = Σ x[n, i·s + a·d − top, j·s + b·d − left, c] · dy[n, i, j, c]
 * and, when `ratio` is not null (the LRT), variance_sum[a, b, c] = Σ x² · dy · ratio at the
 * same positions. Each output row is summed in float32 (at most out_width
 * terms) and the rows in float64 (`totals`: 2·k·k·C doubles of scratch).
 * The sums are written as float32 to theta_sum and variance_sum.
 */
static void depthwise_filter_sums(const Geometry *g, const float *x, const float *dy,
                                  const float *ratio, float *theta_sum, float *variance_sum,
                                  double *totals) {
  const int32_t C = g->channels, taps = g->kernel_height * g->kernel_width;
  const int lrt = ratio != 0;
  for (int32_t t = 0; t < 2 * taps * C; t++) totals[t] = 0.0;

  for (int32_t n = 0; n < g->batch; n++) {
    for (int32_t i = 0; i < g->out_height; i++) {
      const int32_t dy_row = ((n * g->out_height + i) * g->out_width) * C;
      for (int32_t a = 0; a < g->kernel_height; a++) {
        const int32_t h = i * g->stride + a * g->dilation - g->pad_top;
        if (h < 0 || h >= g->height) continue;
        const int32_t x_row = ((n * g->height + h) * g->width) * C;

        for (int32_t b = 0; b < g->kernel_width; b++) {
          int32_t first, last;
          tap_columns(g, b, &first, &last);
          if (first >= last) continue;
          const int32_t shift = b * g->dilation - g->pad_left;
          double *tap_total = totals + 2 * (a * g->kernel_width + b) * C;

          for (int32_t c = 0; c < C; c += 4) {
            v128_t sum = wasm_f32x4_splat(0.0f), variance = wasm_f32x4_splat(0.0f);
            const float *xp = x + x_row + (first * g->stride + shift) * C + c;
            const int32_t dy_offset = dy_row + first * C + c;
            const float *dp = dy + dy_offset;
            const int32_t x_step = g->stride * C;
            if (lrt) {
              const float *rp = ratio + dy_offset;
              for (int32_t j = first; j < last; j++) {
                v128_t xv = wasm_v128_load(xp), dv = wasm_v128_load(dp);
                sum = wasm_f32x4_add(sum, wasm_f32x4_mul(xv, dv));
                v128_t gv = wasm_f32x4_mul(dv, wasm_v128_load(rp));
                variance = wasm_f32x4_add(variance, wasm_f32x4_mul(wasm_f32x4_mul(xv, xv), gv));
                xp += x_step;
                dp += C;
                rp += C;
              }
            } else {
              for (int32_t j = first; j < last; j++) {
                sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(dp)));
                xp += x_step;
                dp += C;
              }
            }
            /* Row sums into float64: [theta c..c+3, variance c..c+3]. */
            double *slot = tap_total + 2 * c;
            v128_t lo = wasm_f64x2_promote_low_f32x4(sum);
            v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(sum, sum, 2, 3, 2, 3));
            wasm_v128_store(slot, wasm_f64x2_add(wasm_v128_load(slot), lo));
            wasm_v128_store(slot + 2, wasm_f64x2_add(wasm_v128_load(slot + 2), hi));
            if (lrt) {
              lo = wasm_f64x2_promote_low_f32x4(variance);
              hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(variance, variance, 2, 3, 2, 3));
              wasm_v128_store(slot + 4, wasm_f64x2_add(wasm_v128_load(slot + 4), lo));
              wasm_v128_store(slot + 6, wasm_f64x2_add(wasm_v128_load(slot + 6), hi));
            }
          }
        }
      }
    }
  }

  /* Per tap, totals contains groups of 8 doubles: 4 theta sums, then 4 variance sums. */
  for (int32_t t = 0; t < taps; t++) {
    for (int32_t c = 0; c < C; c += 4) {
      const double *slot = totals + 2 * t * C + 2 * c;
      for (int k = 0; k < 4; k++) {
        theta_sum[t * C + c + k] = (float)slot[k];
        if (lrt) variance_sum[t * C + c + k] = (float)slot[4 + k];
      }
    }
  }
}

/*
 * Filter gradient of a depthwise convolution. `geometry` points to the 12
 * integers of a Geometry in the heap; `totals` to 2·k·k·C doubles of scratch.
 */
EXPORT("depthwise_filter_grad")
void depthwise_filter_grad(const Geometry *geometry, const float *x, const float *dy,
                           float *filter_grad, double *totals) {
  depthwise_filter_sums(geometry, x, dy, 0, filter_grad, 0, totals);
}

/*
 * Filter gradients of an LRT depthwise convolution: dθ = Σ x·dy and
 * d log σ² = ½·σ²·Σ x²·dy·ratio, with σ² = `variance` ([k, k, C]).
 */
EXPORT("lrt_depthwise_filter_grad")
void lrt_depthwise_filter_grad(const Geometry *geometry, const float *x, const float *dy,
                               const float *ratio, const float *variance, float *theta_grad,
                               float *log_variance_grad, double *totals) {
  depthwise_filter_sums(geometry, x, dy, ratio, theta_grad, log_variance_grad, totals);
  const int32_t count = geometry->kernel_height * geometry->kernel_width * geometry->channels;
  for (int32_t t = 0; t < count; t++) log_variance_grad[t] *= 0.5f * variance[t];
}

/*
 * Input gradient, scattered from each output pixel to the input pixels its
 * taps read: dx[n, i·s + a·d − top, j·s + b·d − left, c] += dy[n, i, j, c]·θ[a, b, c],
 * and for the LRT (`ratio` not null) also + x·dy·ratio·σ²[a, b, c] at the
 * same input pixel, which sums to x·convᵀ(dy·ratio, σ²). Rows are visited as
 * in the filter gradient, so no position needs a division.
 */
static void depthwise_input_sums(const Geometry *g, const float *dy, const float *theta,
                                 const float *ratio, const float *x, const float *variance,
                                 float *dx) {
  const int32_t C = g->channels;
  const int lrt = ratio != 0;
  const int32_t total = g->batch * g->height * g->width * C;
  for (int32_t t = 0; t < total; t += 4) wasm_v128_store(dx + t, wasm_f32x4_splat(0.0f));

  for (int32_t n = 0; n < g->batch; n++) {
    for (int32_t i = 0; i < g->out_height; i++) {
      const int32_t dy_row = ((n * g->out_height + i) * g->out_width) * C;
      for (int32_t a = 0; a < g->kernel_height; a++) {
        const int32_t h = i * g->stride + a * g->dilation - g->pad_top;
        if (h < 0 || h >= g->height) continue;
        const int32_t x_row = ((n * g->height + h) * g->width) * C;

        for (int32_t b = 0; b < g->kernel_width; b++) {
          int32_t first, last;
          tap_columns(g, b, &first, &last);
          if (first >= last) continue;
          const int32_t shift = b * g->dilation - g->pad_left;
          const int32_t tap = (a * g->kernel_width + b) * C;
          const int32_t x_step = g->stride * C;

          for (int32_t c = 0; c < C; c += 4) {
            const v128_t weight = wasm_v128_load(theta + tap + c);
            const int32_t x_offset = x_row + (first * g->stride + shift) * C + c;
            const int32_t dy_offset = dy_row + first * C + c;
            float *dxp = dx + x_offset;
            const float *dp = dy + dy_offset;
            if (lrt) {
              const v128_t sigma2 = wasm_v128_load(variance + tap + c);
              const float *xp = x + x_offset;
              const float *rp = ratio + dy_offset;
              for (int32_t j = first; j < last; j++) {
                v128_t dv = wasm_v128_load(dp);
                v128_t gv = wasm_f32x4_mul(wasm_f32x4_mul(dv, wasm_v128_load(rp)), sigma2);
                v128_t term = wasm_f32x4_add(wasm_f32x4_mul(dv, weight),
                                             wasm_f32x4_mul(wasm_v128_load(xp), gv));
                wasm_v128_store(dxp, wasm_f32x4_add(wasm_v128_load(dxp), term));
                dxp += x_step;
                xp += x_step;
                dp += C;
                rp += C;
              }
            } else {
              for (int32_t j = first; j < last; j++) {
                v128_t term = wasm_f32x4_mul(wasm_v128_load(dp), weight);
                wasm_v128_store(dxp, wasm_f32x4_add(wasm_v128_load(dxp), term));
                dxp += x_step;
                dp += C;
              }
            }
          }
        }
      }
    }
  }
}

/* Input gradient of a depthwise convolution with filter `theta` ([k, k, C]). */
EXPORT("depthwise_input_grad")
void depthwise_input_grad(const Geometry *geometry, const float *dy, const float *theta,
                          float *dx) {
  depthwise_input_sums(geometry, dy, theta, 0, 0, 0, dx);
}

/* Input gradient of an LRT depthwise convolution: convᵀ(dy, θ) + x·convᵀ(dy·ratio, σ²). */
EXPORT("lrt_depthwise_input_grad")
void lrt_depthwise_input_grad(const Geometry *geometry, const float *dy, const float *ratio,
                              const float *x, const float *theta, const float *variance,
                              float *dx) {
  depthwise_input_sums(geometry, dy, theta, ratio, x, variance, dx);
}

/* ---- Gradients of a 1×1, stride-1 LRT convolution ---- */

/*
 * Pixels summed in float32 before their sum enters the float64 totals of
 * the filter gradient.
 */
#define PIXEL_BLOCK 64

/*
 * Filter gradients of a pointwise LRT convolution over `pixels` rows of
 * x [pixels, in] and dy, ratio [pixels, out] (out divisible by 4):
 * dθ[i, o] = Σ x·dy and d log σ²[i, o] = ½σ²[i, o]·Σ x²·dy·ratio.
 * `scratch` has room for 2·in·out floats and then 2·in·out doubles.
 */
EXPORT("lrt_pointwise_filter_grad")
void lrt_pointwise_filter_grad(const float *x, const float *dy, const float *ratio,
                               const float *variance, float *theta_grad, float *log_variance_grad,
                               int32_t pixels, int32_t in, int32_t out, float *scratch) {
  const int32_t size = in * out;
  float *block_theta = scratch, *block_variance = scratch + size;
  double *totals = (double *)(scratch + 2 * size);
  for (int32_t t = 0; t < 2 * size; t++) totals[t] = 0.0;

  for (int32_t start = 0; start < pixels; start += PIXEL_BLOCK) {
    const int32_t stop = start + PIXEL_BLOCK < pixels ? start + PIXEL_BLOCK : pixels;
    for (int32_t t = 0; t < 2 * size; t += 4) wasm_v128_store(scratch + t, wasm_f32x4_splat(0.0f));

    for (int32_t p = start; p < stop; p++) {
      const float *dp = dy + p * out, *rp = ratio + p * out, *xp = x + p * in;
      for (int32_t i = 0; i < in; i++) {
        const v128_t xv = wasm_f32x4_splat(xp[i]);
        const v128_t x2 = wasm_f32x4_mul(xv, xv);
        float *theta_row = block_theta + i * out, *variance_row = block_variance + i * out;
        for (int32_t o = 0; o < out; o += 4) {
          const v128_t dv = wasm_v128_load(dp + o);
          const v128_t gv = wasm_f32x4_mul(dv, wasm_v128_load(rp + o));
          wasm_v128_store(theta_row + o,
                          wasm_f32x4_add(wasm_v128_load(theta_row + o), wasm_f32x4_mul(xv, dv)));
          wasm_v128_store(variance_row + o,
                          wasm_f32x4_add(wasm_v128_load(variance_row + o), wasm_f32x4_mul(x2, gv)));
        }
      }
    }
    for (int32_t t = 0; t < 2 * size; t++) totals[t] += (double)scratch[t];
  }

  for (int32_t t = 0; t < size; t++) {
    theta_grad[t] = (float)totals[t];
    log_variance_grad[t] = (float)(0.5 * (double)variance[t] * totals[size + t]);
  }
}

/*
 * Input gradient of a pointwise LRT convolution: dx[p, i] = Σ_o dy·θ[i, o]
 * + x[p, i]·Σ_o dy·ratio·σ²[i, o], for `in` divisible by 4. `scratch` has room for
 * 2·in·out floats (θ and σ² transposed to [out, in]).
 */
EXPORT("lrt_pointwise_input_grad")
void lrt_pointwise_input_grad(const float *dy, const float *ratio, const float *x,
                              const float *theta, const float *variance, float *dx,
                              int32_t pixels, int32_t in, int32_t out, float *scratch) {
  float *theta_t = scratch, *variance_t = scratch + in * out;
  for (int32_t i = 0; i < in; i++) {
    for (int32_t o = 0; o < out; o++) {
      theta_t[o * in + i] = theta[i * out + o];
      variance_t[o * in + i] = variance[i * out + o];
    }
  }

  for (int32_t p = 0; p < pixels; p++) {
    const float *dp = dy + p * out, *rp = ratio + p * out, *xp = x + p * in;
    float *dxp = dx + p * in;
    for (int32_t i = 0; i < in; i += 4) {
      v128_t mean = wasm_f32x4_splat(0.0f), spread = wasm_f32x4_splat(0.0f);
      for (int32_t o = 0; o < out; o++) {
        const v128_t dv = wasm_f32x4_splat(dp[o]);
        const v128_t gv = wasm_f32x4_splat(dp[o] * rp[o]);
        mean = wasm_f32x4_add(mean, wasm_f32x4_mul(dv, wasm_v128_load(theta_t + o * in + i)));
        spread = wasm_f32x4_add(spread, wasm_f32x4_mul(gv, wasm_v128_load(variance_t + o * in + i)));
      }
      wasm_v128_store(dxp + i, wasm_f32x4_add(mean, wasm_f32x4_mul(wasm_v128_load(xp + i), spread)));
    }
  }
}

/* ---- The LRT mixture of an edge's operations ---- */

/*
 * Forward: mean = Σ θ_k·o_k and variance = Σ σ²_k·o_k² over `count`
 * operation outputs of n elements each (`outputs`: their addresses), then
 * the sampling step of lrt_sample into y and ratio. `variance_buffer` has room for
 * n floats.
 */
EXPORT("lrt_mixture_forward")
void lrt_mixture_forward(const int32_t *outputs, const float *theta, const float *sigma2,
                         int32_t count, int32_t n, float *y, float *ratio, float *variance_buffer,
                         uint32_t seed, float eps, const double *tables, int32_t *scratch) {
  for (int32_t i = 0; i < n; i++) {
    y[i] = 0.0f;
    variance_buffer[i] = 0.0f;
  }
  for (int32_t k = 0; k < count; k++) {
    const float *o = (const float *)outputs[k];
    const v128_t t = wasm_f32x4_splat(theta[k]), s = wasm_f32x4_splat(sigma2[k]);
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
      v128_t ov = wasm_v128_load(o + i);
      wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(t, ov)));
      wasm_v128_store(variance_buffer + i,
                      wasm_f32x4_add(wasm_v128_load(variance_buffer + i),
                                     wasm_f32x4_mul(s, wasm_f32x4_mul(ov, ov))));
    }
    for (; i < n; i++) {
      y[i] += theta[k] * o[i];
      variance_buffer[i] += sigma2[k] * (o[i] * o[i]);
    }
  }
  lrt_sample(y, variance_buffer, y, ratio, n, seed, eps, tables, scratch);
}

/*
 * Backward, with g = dy·ratio: do_k = θ_k·dy + σ²_k·o_k·g into the
 * addresses `grads`, and into `sums` (2·count floats) dθ_k = Σ dy·o_k and
 * dσ²_k = ½·Σ o_k²·g. Blocks of 256 elements are summed in float32 and the
 * blocks in float64 (`totals`: 2·count doubles).
 */
EXPORT("lrt_mixture_backward")
void lrt_mixture_backward(const float *dy, const float *ratio, const int32_t *outputs,
                          const int32_t *grads, const float *theta, const float *sigma2,
                          int32_t count, int32_t n, float *sums, double *totals) {
  for (int32_t k = 0; k < 2 * count; k++) totals[k] = 0.0;

  for (int32_t start = 0; start < n; start += 256) {
    const int32_t stop = start + 256 < n ? start + 256 : n;
    for (int32_t k = 0; k < count; k++) {
      const float *o = (const float *)outputs[k];
      float *d = (float *)grads[k];
      const v128_t t = wasm_f32x4_splat(theta[k]), s = wasm_f32x4_splat(sigma2[k]);
      v128_t theta_sum = wasm_f32x4_splat(0.0f), sigma_sum = wasm_f32x4_splat(0.0f);
      int32_t i = start;
      for (; i + 4 <= stop; i += 4) {
        v128_t dv = wasm_v128_load(dy + i), ov = wasm_v128_load(o + i);
        v128_t og = wasm_f32x4_mul(ov, wasm_f32x4_mul(dv, wasm_v128_load(ratio + i)));
        wasm_v128_store(d + i, wasm_f32x4_add(wasm_f32x4_mul(t, dv), wasm_f32x4_mul(s, og)));
        theta_sum = wasm_f32x4_add(theta_sum, wasm_f32x4_mul(dv, ov));
        sigma_sum = wasm_f32x4_add(sigma_sum, wasm_f32x4_mul(ov, og));
      }
      float theta_tail = 0.0f, sigma_tail = 0.0f;
      for (; i < stop; i++) {
        float og = o[i] * (dy[i] * ratio[i]);
        d[i] = theta[k] * dy[i] + sigma2[k] * og;
        theta_tail += dy[i] * o[i];
        sigma_tail += o[i] * og;
      }
      totals[k] += (double)(wasm_f32x4_extract_lane(theta_sum, 0) + wasm_f32x4_extract_lane(theta_sum, 1) +
                            wasm_f32x4_extract_lane(theta_sum, 2) + wasm_f32x4_extract_lane(theta_sum, 3) +
                            theta_tail);
      totals[count + k] +=
          (double)(wasm_f32x4_extract_lane(sigma_sum, 0) + wasm_f32x4_extract_lane(sigma_sum, 1) +
                   wasm_f32x4_extract_lane(sigma_sum, 2) + wasm_f32x4_extract_lane(sigma_sum, 3) +
                   sigma_tail);
    }
  }
  for (int32_t k = 0; k < count; k++) {
    sums[k] = (float)totals[k];
    sums[count + k] = (float)(0.5 * totals[count + k]);
  }
}
