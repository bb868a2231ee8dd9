// matmul_tiled.wgsl: C = epilogue(A B), A [M, K], B [K, N], C [M, N], row-major f32.
//
// One workgroup computes a TILE_M x TILE_N tile of C. Each of its (TILE_N / 4) x (TILE_M / 4)
// threads owns 4 rows x one vec4 of columns = 4 x 4 outputs, accumulated in registers while the
// K dimension streams through workgroup memory TILE_K at a time (A and B tiles loaded as vec4).
// Tiles are numbered row-major (t = tile_row * tiles_per_row + tile_col) and workgroup w computes
// tiles w, w + G, w + 2G, ... for G workgroups in the dispatch. With one workgroup per tile this
// is the usual grid; with fewer (G capped) each workgroup loops over several tiles, which lifts
// the 65535 workgroups-per-dimension limit and, on a CPU adapter, pays the per-workgroup set-up
// (SwiftShader makes a coroutine per 4 invocations of a workgroup with barriers) fewer times.
// Per vec4 of A (4 k values) a thread reads 4 vec4 of B and does 16 vec4 multiply-adds.
// Sizes that are not multiples of the tile are handled by bounds checks (zeros are staged beyond
// the edges; out-of-range outputs are not written). K and N must be multiples of 4 because rows
// are read and written as vec4; M is free.
//
// Overrides (pipeline constants; web/gpu/kernels.js caches one pipeline per combination):
//   TILE_M, TILE_N  output tile, multiples of 4 (default 32 x 32: 8 x 8 = 64 threads;
//                   64 x 64 gives 256 threads). The host uses fewer rows (TILE_M down to 4)
//                   when M itself is small, as for the adaLN modulation (one row per sample).
//   TILE_K          depth staged per step, multiple of 4 (default 32)
// The epilogue and the SiLU on A are uniforms, not overrides: they cost a uniform branch outside
// the inner loop, and one pipeline per tile then serves every use (a software adapter such as
// SwiftShader takes seconds to compile each pipeline).
// Workgroup memory: (TILE_M + TILE_N) * TILE_K * 4 bytes (8 KiB at 32/32/32, 16 KiB at 64/64/32).
//
// Uniform block `params` (32 bytes, eight u32):
//   0 m                rows of A and C
//   1 n                columns of B and C (multiple of 4)
//   2 k                columns of A, rows of B (multiple of 4)
//   3 rows_per_sample  rows of C per sample: the gate row is row / rows_per_sample
//   4 gate_offset      first column of the gate in `modulation` (multiple of 4)
//   5 gate_stride      floats per row of `modulation` (multiple of 4)
//   6 epilogue         0 none, 1 bias, 2 bias + GELU(tanh), 3 bias + residual,
//                      4 bias + gated residual: C = residual + gate[row / rows_per_sample] * (A B + bias)
//   7 silu_a           1: use SiLU(A) in place of A (adaLN modulation: Linear(SiLU(c)))
// Bindings (group 0): 0 A, 1 B, 2 C (read_write), 3 bias [N], 4 residual [M, N],
//   5 modulation [samples, gate_stride], 6 params. Bindings an epilogue does not read still need a
//   buffer (any small one). C must not alias A, B or the residual.
// Dispatch: (ceil(N / TILE_N), ceil(M / TILE_M), 1) for one workgroup per tile, or any
// (G, 1, 1) (then w = workgroup_id.x). TILE_K * TILE_N / 4 and TILE_M * TILE_K / 4 need not be
// multiples of the thread count: the staging loops stride by it.

override TILE_M: u32 = 32u;
override TILE_N: u32 = 32u;
override TILE_K: u32 = 32u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  rows_per_sample: u32,
  gate_offset: u32,
  gate_stride: u32,
  epilogue: u32,
  silu_a: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> residual: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> modulation: array<vec4<f32>>;
@group(0) @binding(6) var<uniform> params: Params;

// A tile: TILE_M rows of TILE_K / 4 vec4. B tile: TILE_K rows of TILE_N / 4 vec4.
var<workgroup> a_tile: array<vec4<f32>, TILE_M * TILE_K / 4u>;
var<workgroup> b_tile: array<vec4<f32>, TILE_K * TILE_N / 4u>;

// GELU with the tanh approximation. tanh(u) is written 1 - 2 / (exp(2u) + 1): WGSL's tanh returns
// NaN for large |u| on some implementations, this form tends to +-1 exactly.
fn gelu(x: vec4<f32>) -> vec4<f32> {
  let u = 0.7978845608028654 * (x + 0.044715 * x * x * x);  // sqrt(2 / pi) (x + 0.044715 x^3)
  let t = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
  return 0.5 * x * (1.0 + t);
}

@compute @workgroup_size(TILE_N / 4u, TILE_M / 4u, 1u)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lindex: u32) {
  let threads = (TILE_M / 4u) * (TILE_N / 4u);
  let k4 = params.k / 4u;  // vec4 per row of A
  let n4 = params.n / 4u;  // vec4 per row of B and C
  let tk4 = TILE_K / 4u;   // vec4 per row of the A tile
  let tn4 = TILE_N / 4u;   // vec4 per row of the B tile
  let tiles_per_row = (n4 + tn4 - 1u) / tn4;
  let tiles = tiles_per_row * ((params.m + TILE_M - 1u) / TILE_M);

  // t is uniform across the workgroup (workgroup_id, num_workgroups), so the barriers below are
  // in uniform control flow.
  for (var t = wid.x + wid.y * groups.x; t < tiles; t += groups.x * groups.y) {
    let row0 = (t / tiles_per_row) * TILE_M;
    let col0 = (t % tiles_per_row) * tn4;  // first vec4 column of the tile

    // Four named accumulators (rows lid.y * 4 + 0..3, vec4 column lid.x), not an array: a
    // private array indexed in a loop can live in memory (SwiftShader keeps it there), named
    // values in registers. Measured on SwiftShader: 25% less time than array<vec4<f32>, 4>.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
      // Stage the A tile (rows row0.., vec4 columns k0 / 4..) and the B tile (rows k0.., vec4
      // columns col0..), zeros beyond the matrix edges.
      for (var i = lindex; i < TILE_M * tk4; i += threads) {
        let row = row0 + i / tk4;
        let kv = k0 / 4u + i % tk4;
        var v = vec4<f32>(0.0);
        if (row < params.m && kv < k4) {
          v = a[row * k4 + kv];
          if (params.silu_a != 0u) {
            v = v / (1.0 + exp(-v));
          }
        }
        a_tile[i] = v;
      }
      for (var i = lindex; i < TILE_K * tn4; i += threads) {
        let kr = k0 + i / tn4;
        let col = col0 + i % tn4;
        var v = vec4<f32>(0.0);
        if (kr < params.k && col < n4) {
          v = b[kr * n4 + col];
        }
        b_tile[i] = v;
      }
      workgroupBarrier();

      // Per vec4 of k: 4 vec4 of B (rows k..k+3 of this thread's column) and 4 of A (this
      // thread's rows), 16 vec4 multiply-adds. The indices advance by constants.
      var b_index = lid.x;
      var a_index = lid.y * 4u * tk4;
      for (var kk = 0u; kk < tk4; kk++) {
        let b0 = b_tile[b_index];
        let b1 = b_tile[b_index + tn4];
        let b2 = b_tile[b_index + 2u * tn4];
        let b3 = b_tile[b_index + 3u * tn4];
        let a0 = a_tile[a_index];
        let a1 = a_tile[a_index + tk4];
        let a2 = a_tile[a_index + 2u * tk4];
        let a3 = a_tile[a_index + 3u * tk4];
        acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
        acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
        acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
        acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
        b_index += 4u * tn4;
        a_index += 1u;
      }
      workgroupBarrier();  // the next step overwrites the tiles
    }

    // Epilogue: threads outside the matrix write nothing (no early return: the tile loop has
    // barriers).
    let col = col0 + lid.x;
    for (var r = 0u; r < 4u; r++) {
      let row = row0 + lid.y * 4u + r;
      if (row >= params.m || col >= n4) {
        break;
      }
      var v = acc0;
      if (r == 1u) {
        v = acc1;
      } else if (r == 2u) {
        v = acc2;
      } else if (r == 3u) {
        v = acc3;
      }
      let epilogue = params.epilogue;
      if (epilogue >= 1u) {
        v += bias[col];
      }
      if (epilogue == 2u) {
        v = gelu(v);
      }
      if (epilogue == 4u) {
        let sample = row / params.rows_per_sample;
        v *= modulation[(sample * params.gate_stride + params.gate_offset) / 4u + col];
      }
      if (epilogue >= 3u) {
        v += residual[row * n4 + col];
      }
      c[row * n4 + col] = v;
    }
  }
}
