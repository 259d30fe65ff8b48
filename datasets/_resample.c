// Copyright 2026 the simclr authors. MIT license.
// PIL's bilinear resize of an 8-bit RGB image (Image.resize(size, BILINEAR), as torchvision's
// Resize calls it), to the bit, then a crop of its result: compiled to wasm32 with no libc by
// tools/build_resample_wasm.sh into datasets/_resample_wasm.ts. The arithmetic follows Pillow's
// src/libImaging/Resample.c:
//   - one pass per axis, horizontal first (over the rows the vertical pass reads), a pass skipped
//     when its axis keeps its size;
//   - per output coordinate i: scale = in / out, the filter widened by max(scale, 1) (antialiased
//     when shrinking), centre (i + 0.5) * scale, taps from (int)(centre - support + 0.5) to
//     (int)(centre + support + 0.5) clipped to the image, weights tent((j - centre + 0.5) / fs)
//     normalised to sum 1 in double precision, then rounded half away from zero to 22-bit fixed
//     point (32 - 8 - 2 bits);
//   - each pass sums pixel * weight in int32 from 1 << 21 (rounding), shifts by 22 and clips to
//     0..255, stored as bytes before the next pass.
// Each output pixel depends only on its own row's or column's taps, so computing only the
// cropped window gives the same bytes as resizing whole and cropping after.
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

extern unsigned char __heap_base;

static uint32_t heap_top;

/** Makes memory reach `end` bytes; 0 when it cannot grow. */
static int ensure(uint32_t end) {
  uint32_t have = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  if (end <= have) return 1;
  uint32_t pages = (end - have + 65535u) / 65536u;
  return __builtin_wasm_memory_grow(0, pages) != (uint32_t)-1;
}

/** `bytes` more from the heap, 16-aligned; 0 when memory cannot grow. */
static uint32_t take(uint32_t bytes) {
  uint32_t at = (heap_top + 15u) & ~15u;
  uint64_t end = (uint64_t)at + bytes + 16u;
  if (end > 0xffff0000u || !ensure((uint32_t)end)) return 0;
  heap_top = (uint32_t)end;
  return at;
}

static uint32_t input_at;

/**
 * Where to write the input image of `bytes` bytes (the heap is reset: earlier results are
 * overwritten); 0 when memory cannot grow.
 */
__attribute__((export_name("input"))) uint32_t input(uint32_t bytes) {
  heap_top = (uint32_t)&__heap_base;
  input_at = take(bytes);
  return input_at;
}

static double tent(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

/**
 * The taps of output coordinates first..first+count-1 of an axis going from `in` to `out`:
 * starts[i], counts[i], and `ksize` int32 weights per coordinate (unused ones 0). `scratch`
 * holds ksize doubles.
 */
static void taps(int in, int out, int first, int count, int ksize, int32_t *starts,
                 int32_t *counts, int32_t *weights, double *scratch) {
  double scale = (double)in / out;
  double fs = scale < 1.0 ? 1.0 : scale;
  double support = 1.0 * fs;
  double inverse = 1.0 / fs;
  for (int i = 0; i < count; i++) {
    double centre = (first + i + 0.5) * scale;
    int lo = (int)(centre - support + 0.5);
    if (lo < 0) lo = 0;
    int hi = (int)(centre + support + 0.5);
    if (hi > in) hi = in;
    int n = hi - lo;
    double sum = 0.0;
    for (int j = 0; j < n; j++) {
      double w = tent((j + lo - centre + 0.5) * inverse);
      scratch[j] = w;
      sum += w;
    }
    int32_t *k = weights + (uint32_t)i * ksize;
    for (int j = 0; j < n; j++) {
      double w = sum != 0.0 ? scratch[j] / sum : scratch[j];
      k[j] = (int32_t)(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    for (int j = n; j < ksize; j++) k[j] = 0;
    starts[i] = lo;
    counts[i] = n;
  }
}

static int kernel_size(int in, int out) {
  double scale = (double)in / out;
  double support = scale < 1.0 ? 1.0 : scale;
  int whole = (int)support;
  if (whole < support) whole++;
  return whole * 2 + 1;
}

static uint8_t clip(int32_t v) {
  v >>= PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/** Loads pixel bytes p[0..3] (the fourth belongs to the next pixel or the padding). */
static v128_t pixel(const uint8_t *p) {
  v128_t bytes = wasm_v128_load32_zero(p);
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(bytes));
}

/**
 * The horizontal pass: rows [0, rows) of `src` (stride `stride` bytes) to `cols` pixels per row
 * in `dst` (packed, 3 bytes a pixel; one byte of padding after it is written).
 */
static void horizontal(const uint8_t *src, uint32_t stride, int rows, int cols, int ksize,
                       const int32_t *starts, const int32_t *counts, const int32_t *weights,
                       uint8_t *dst) {
  for (int y = 0; y < rows; y++) {
    const uint8_t *line = src + (uint32_t)y * stride;
    uint8_t *o = dst + (uint32_t)y * cols * 3;
    for (int x = 0; x < cols; x++) {
      const int32_t *k = weights + (uint32_t)x * ksize;
      const uint8_t *p = line + (uint32_t)starts[x] * 3;
      v128_t acc = wasm_i32x4_splat(HALF);
      for (int j = 0; j < counts[x]; j++) {
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(pixel(p + j * 3), wasm_i32x4_splat(k[j])));
      }
      o[x * 3 + 0] = clip(wasm_i32x4_extract_lane(acc, 0));
      o[x * 3 + 1] = clip(wasm_i32x4_extract_lane(acc, 1));
      o[x * 3 + 2] = clip(wasm_i32x4_extract_lane(acc, 2));
    }
  }
}

/** Eight bytes widened into two int32x4 halves, each times `k`, added to lo and hi. */
#define ACCUMULATE8(p, k, lo, hi)                                                           \
  do {                                                                                        \
    v128_t w16 = wasm_u16x8_load8x8(p);                                                       \
    lo = wasm_i32x4_add(lo, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(w16), k));            \
    hi = wasm_i32x4_add(hi, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(w16), k));           \
  } while (0)

/** The four lanes of `v` shifted, clipped and stored as bytes o[0..3]. */
static void store4(uint8_t *o, v128_t v) {
  v = wasm_i32x4_shr(v, PRECISION_BITS);
  v = wasm_i32x4_max(v, wasm_i32x4_splat(0));
  v = wasm_i32x4_min(v, wasm_i32x4_splat(255));
  o[0] = (uint8_t)wasm_i32x4_extract_lane(v, 0);
  o[1] = (uint8_t)wasm_i32x4_extract_lane(v, 1);
  o[2] = (uint8_t)wasm_i32x4_extract_lane(v, 2);
  o[3] = (uint8_t)wasm_i32x4_extract_lane(v, 3);
}

/**
 * The vertical pass: `rows` output rows of `width` bytes each, row i the taps' sum over source
 * rows starts[i].. of `src` (stride `stride`).
 */
static void vertical(const uint8_t *src, uint32_t stride, int rows, int width, int ksize,
                     const int32_t *starts, const int32_t *counts, const int32_t *weights,
                     uint8_t *dst) {
  for (int y = 0; y < rows; y++) {
    const int32_t *k = weights + (uint32_t)y * ksize;
    const uint8_t *top = src + (uint32_t)starts[y] * stride;
    uint8_t *o = dst + (uint32_t)y * width;
    int x = 0;
    for (; x + 8 <= width; x += 8) {
      v128_t lo = wasm_i32x4_splat(HALF), hi = lo;
      for (int j = 0; j < counts[y]; j++) {
        ACCUMULATE8(top + (uint32_t)j * stride + x, wasm_i32x4_splat(k[j]), lo, hi);
      }
      store4(o + x, lo);
      store4(o + x + 4, hi);
    }
    for (; x < width; x++) {
      int32_t acc = HALF;
      for (int j = 0; j < counts[y]; j++) acc += top[(uint32_t)j * stride + x] * k[j];
      o[x] = clip(acc);
    }
  }
}

/**
 * Resizes the `in_w x in_h` RGB image written at input() to `out_w x out_h` as PIL's bilinear
 * resize, and returns where the `crop_w x crop_h` window at (`left`, `top`) of that result is
 * (packed RGB rows); 0 when memory cannot grow.
 */
__attribute__((export_name("resize"))) uint32_t resize(int in_w, int in_h, int out_w, int out_h,
                                                        int left, int top, int crop_w,
                                                        int crop_h) {
  const uint8_t *src = (const uint8_t *)input_at;
  uint32_t src_stride = (uint32_t)in_w * 3;
  uint32_t out_at = take((uint32_t)crop_w * crop_h * 3 + 1);
  if (out_at == 0) return 0;
  uint8_t *out = (uint8_t *)out_at;
  int need_h = out_w != in_w;
  int need_v = out_h != in_h;

  // The vertical taps first: they say which rows the horizontal pass must make.
  int32_t *v_starts = 0, *v_counts = 0, *v_weights = 0;
  int v_ksize = kernel_size(in_h, out_h);
  int first_row = top, last_row = top + crop_h;
  if (need_v) {
    uint32_t a = take((uint32_t)crop_h * 8), b = take((uint32_t)crop_h * v_ksize * 4);
    uint32_t c = take((uint32_t)v_ksize * 8);
    if (!a || !b || !c) return 0;
    v_starts = (int32_t *)a;
    v_counts = v_starts + crop_h;
    v_weights = (int32_t *)b;
    taps(in_h, out_h, top, crop_h, v_ksize, v_starts, v_counts, v_weights, (double *)c);
    first_row = v_starts[0];
    last_row = v_starts[crop_h - 1] + v_counts[crop_h - 1];
    for (int i = 0; i < crop_h; i++) v_starts[i] -= first_row;
  }

  // The source of the vertical pass: the horizontal pass's rows, or the input's window.
  const uint8_t *mid = src + (uint32_t)first_row * src_stride + (uint32_t)left * 3;
  uint32_t mid_stride = src_stride;
  if (need_h) {
    int h_ksize = kernel_size(in_w, out_w);
    int rows = last_row - first_row;
    uint32_t a = take((uint32_t)crop_w * 8), b = take((uint32_t)crop_w * h_ksize * 4);
    uint32_t c = take((uint32_t)h_ksize * 8), d = take((uint32_t)rows * crop_w * 3 + 1);
    if (!a || !b || !c || !d) return 0;
    int32_t *h_starts = (int32_t *)a, *h_counts = h_starts + crop_w, *h_weights = (int32_t *)b;
    taps(in_w, out_w, left, crop_w, h_ksize, h_starts, h_counts, h_weights, (double *)c);
    uint8_t *made = (uint8_t *)d;
    horizontal(src + (uint32_t)first_row * src_stride, src_stride, rows, crop_w, h_ksize,
               h_starts, h_counts, h_weights, made);
    mid = made;
    mid_stride = (uint32_t)crop_w * 3;
  }

  if (need_v) {
    vertical(mid, mid_stride, crop_h, crop_w * 3, v_ksize, v_starts, v_counts, v_weights, out);
  } else {
    uint32_t row = (uint32_t)crop_w * 3;
    for (int y = 0; y < crop_h; y++) {
      const uint8_t *from = mid + (uint32_t)y * mid_stride;
      uint8_t *to = out + (uint32_t)y * row;
      for (uint32_t i = 0; i < row; i++) to[i] = from[i];
    }
  }
  return out_at;
}
