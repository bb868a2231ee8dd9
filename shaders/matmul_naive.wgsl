// matmul_naive.wgsl: C = A B, A [M, K], B [K, N], row-major f32, any sizes. One output per thread,
// every operand read straight from global memory as a scalar: the baseline the tiled kernel
// (matmul_tiled.wgsl) is benchmarked against. No epilogue.
//
// Overrides: WG_X, WG_Y  workgroup size (default 16 x 16 = 256 threads).
// Uniform block `params` (16 bytes, four u32): 0 m, 1 n, 2 k, 3 padding.
// Bindings (group 0): 0 A, 1 B, 2 C (read_write), 3 params.
// Dispatch: (ceil(N / WG_X), ceil(M / WG_Y), 1).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  pad0: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1u)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let row = gid.y;
  if (row >= params.m || col >= params.n) {
    return;
  }
  var sum = 0.0;
  for (var p = 0u; p < params.k; p++) {
    sum += a[row * params.k + p] * b[p * params.n + col];
  }
  c[row * params.n + col] = sum;
}
