// Copyright 2026 the simclr authors. MIT license.
// Typed-array loops behind the fast `cpu` convolution kernels (registerFastCpuKernels): im2col,
// col2im and three matrix products. These ARE the kernels of the JavaScript backend, hence loops.

/** Geometry of one NHWC convolution with HWIO filter and explicit padding. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  o: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  oh: number;
  ow: number;
}

/** Patches as rows: `[N*OH*OW, KH*KW*C]`, columns `(kh, kw, c)`; zeros in the padding. */
export function im2colLoop(x: Float32Array, g: ConvGeometry): Float32Array {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, top, left, oh, ow } = g;
  const k = kh * kw * c;
  const cols = new Float32Array(n * oh * ow * k);
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, row += k) {
        let col = row;
        for (let i = 0; i < kh; i++) {
          const yi = y * sh + i * dh - top;
          if (yi < 0 || yi >= h) {
            col += kw * c;
            continue;
          }
          for (let j = 0; j < kw; j++, col += c) {
            const xi = xo * sw + j * dw - left;
            if (xi < 0 || xi >= w) continue;
            const src = ((b * h + yi) * w + xi) * c;
            cols.set(x.subarray(src, src + c), col);
          }
        }
      }
    }
  }
  return cols;
}

/** Adds patch rows `[N*OH*OW, KH*KW*C]` back into an NHWC image (the adjoint of im2col). */
export function col2imLoop(cols: Float32Array, g: ConvGeometry): Float32Array {
  const { n, h, w, c, kh, kw, sh, sw, dh, dw, top, left, oh, ow } = g;
  const k = kh * kw * c;
  const x = new Float32Array(n * h * w * c);
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, row += k) {
        let col = row;
        for (let i = 0; i < kh; i++) {
          const yi = y * sh + i * dh - top;
          if (yi < 0 || yi >= h) {
            col += kw * c;
            continue;
          }
          for (let j = 0; j < kw; j++, col += c) {
            const xi = xo * sw + j * dw - left;
            if (xi < 0 || xi >= w) continue;
            const dst = ((b * h + yi) * w + xi) * c;
            for (let q = 0; q < c; q++) x[dst + q] += cols[col + q];
          }
        }
      }
    }
  }
  return x;
}

/** `A[M, K] · B[K, N]` (row-major). */
export function matMulNN(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const oi = i * n, ai = i * k;
    for (let p = 0; p < k; p++) {
      const s = a[ai + p];
      if (s === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) out[oi + j] += s * b[bp + j];
    }
  }
  return out;
}

/** `A[M, K]ᵀ · B[M, N]` → `[K, N]` (row-major). */
export function matMulTN(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float32Array {
  const out = new Float32Array(k * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k, bi = i * n;
    for (let p = 0; p < k; p++) {
      const s = a[ai + p];
      if (s === 0) continue;
      const op = p * n;
      for (let j = 0; j < n; j++) out[op + j] += s * b[bi + j];
    }
  }
  return out;
}

/** `A[M, N] · B[K, N]ᵀ` → `[M, K]` (row-major): dot products of rows. */
export function matMulNT(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
): Float32Array {
  const out = new Float32Array(m * k);
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    for (let p = 0; p < k; p++) {
      const bp = p * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        s0 += a[ai + j] * b[bp + j];
        s1 += a[ai + j + 1] * b[bp + j + 1];
        s2 += a[ai + j + 2] * b[bp + j + 2];
        s3 += a[ai + j + 3] * b[bp + j + 3];
      }
      for (; j < n; j++) s0 += a[ai + j] * b[bp + j];
      out[i * k + p] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}
