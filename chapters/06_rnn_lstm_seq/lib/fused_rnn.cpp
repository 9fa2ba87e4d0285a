#include "lib/fused_rnn.h"

#include "book/dropout.h"

#include <dlfcn.h>

#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ch06 {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// c ? a : b on the bits, without a branch: with a float select GCC duplicates the arithmetic after
// it into two branches and then cannot vectorize the loop (a float operation may trap).
inline float select_bits(bool c, float a, float b) {
  std::int32_t ia = 0;
  std::int32_t ib = 0;
  std::memcpy(&ia, &a, sizeof ia);
  std::memcpy(&ib, &b, sizeof ib);
  const std::int32_t mask = -static_cast<std::int32_t>(c);
  const std::int32_t bits = (ia & mask) | (ib & ~mask);
  float out = 0;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// e^x for float without a library call, so that the compiler vectorizes the gate loops (the C
// library's expf is a scalar call per element). Cephes' expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2,
// e^r by a polynomial, 2^n written into the exponent bits. Relative error below 1e-7 (checked
// against exp over [−87, 88]): float rounding. Inputs are clamped to [−87, 88], where e^x is a
// normal float; NaN stays NaN.
inline float exp_poly(float x) {
  x = select_bits(x < -87.0F, -87.0F, x);
  x = select_bits(x > 88.0F, 88.0F, x);
  // n = round(x / ln 2): adding and subtracting 1.5·2^23 rounds a float to the nearest integer.
  constexpr float kRound = 12582912.0F;
  const float nf = (x * 1.44269504088896341F + kRound) - kRound;
  // For NaN, n comes from 0 (converting NaN to an integer is undefined); r and y stay NaN.
  const auto n = static_cast<std::int32_t>(select_bits(nf == nf, nf, 0.0F));
  const float r = x - nf * 0.693359375F + nf * 2.12194440e-4F;  // x − n·ln 2, ln 2 in two parts
  float y = 1.9875691500e-4F;
  y = y * r + 1.3981999507e-3F;
  y = y * r + 8.3334519073e-3F;
  y = y * r + 4.1665795894e-2F;
  y = y * r + 1.6666665459e-1F;
  y = y * r + 5.0000001201e-1F;
  y = y * r * r + r + 1.0F;
  const auto bits = static_cast<std::int32_t>(static_cast<std::uint32_t>(n + 127) << 23);  // 2^n as a float's bits
  float two_n;
  std::memcpy(&two_n, &bits, sizeof two_n);
  return y * two_n;
}

// The exp the loops use: the polynomial for float, the C library's for double (the tests' precision).
inline float exp_of(float x) { return exp_poly(x); }
inline double exp_of(double x) { return std::exp(x); }

// σ(x) = 1 / (1 + e^−x) and tanh x = 2σ(2x) − 1, both through exp_of.
template <typename T>
inline T sigmoid(T x) {
  return T(1) / (T(1) + exp_of(-x));
}

template <typename T>
inline T tanh_fast(T x) {
  return T(2) / (T(1) + exp_of(T(-2) * x)) - T(1);
}

// The time steps of a packed batch: how many rows each has, where they start in the packed data,
// and the order the recurrence visits them (0 … T−1 forward, T−1 … 0 backward).
struct Steps {
  std::vector<std::int64_t> rows;
  std::vector<std::int64_t> offset;
  std::vector<std::int64_t> order;
};

Steps make_steps(const Tensor& batch_sizes, bool reverse) {
  const Tensor sizes = batch_sizes.to(torch::kInt64).contiguous();
  const auto* b = sizes.data_ptr<std::int64_t>();
  const std::int64_t steps = sizes.numel();
  Steps s;
  s.rows.assign(b, b + steps);
  s.offset.resize(static_cast<std::size_t>(steps));
  s.order.resize(static_cast<std::size_t>(steps));
  std::int64_t start = 0;
  for (std::int64_t t = 0; t < steps; ++t) {
    s.offset[static_cast<std::size_t>(t)] = start;
    start += b[t];
    s.order[static_cast<std::size_t>(t)] = reverse ? steps - 1 - t : t;
  }
  return s;
}

// Raw row-major buffers of one step. `a` holds the step's gate pre-activations [rows, G·H] (input
// projection + biases + hidden projection) and is overwritten with the activations backward needs.
// `h` and `c` are the running states [B, H]: row r is sequence r of the batch sorted by length,
// longest first, so the step's active sequences are rows 0 … rows−1; the others keep their values
// (a finished sequence keeps its final state, one that has not started yet keeps h = c = 0). The
// per-step pointers (a, out and the saved buffers) point at the step's first packed row.
template <typename T>
struct StepBuffers {
  T* a;         // [rows, G·H] gates
  T* h;         // running h [B, H]
  T* c;         // running c [B, H] (LSTM)
  T* hidden;    // GRU: h_prev · W_hhᵀ of this step [rows, 3H] (no bias)
  const T* b_hn;  // GRU: the n block of b_hh [H]
  T* out;       // outputs of the step [rows, H]
  T* h_prev;    // saved h before the step [rows, H]
  T* c_prev;    // LSTM: saved c before the step [rows, H]
  T* c_new;     // LSTM: saved c after the step [rows, H]
  T* n_hidden;  // GRU: saved W_hn·h + b_hn [rows, H]
};

// [lstm step]
// LSTM, per row r and unit j (gates in torch's order i, f, g, o):
//   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
//   c' = f ⊙ c + i ⊙ g      h' = o ⊙ tanh(c')
template <typename T>
void lstm_forward_step(const StepBuffers<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t r = 0; r < rows; ++r) {
    T* a = s.a + r * 4 * H;
    T* h = s.h + r * H;
    T* c = s.c + r * H;
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T i = sigmoid(a[j]);
      const T f = sigmoid(a[H + j]);
      const T g = tanh_fast(a[2 * H + j]);
      const T o = sigmoid(a[3 * H + j]);
      const T c_next = f * c[j] + i * g;
      const T h_next = o * tanh_fast(c_next);
      a[j] = i;
      a[H + j] = f;
      a[2 * H + j] = g;
      a[3 * H + j] = o;
      s.h_prev[r * H + j] = h[j];
      s.c_prev[r * H + j] = c[j];
      s.c_new[r * H + j] = c_next;
      s.out[r * H + j] = h_next;
      c[j] = c_next;
      h[j] = h_next;
    }
  }
}

// [lstm step]

// GRU, per row r and unit j (gates r, z, n; `a` already holds x·W_iᵀ + b_i, plus b_hr and b_hz):
//   r = σ(a_r + W_hr·h)   z = σ(a_z + W_hz·h)
//   n = tanh(a_n + r ⊙ (W_hn·h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
template <typename T>
void gru_forward_step(const StepBuffers<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t row = 0; row < rows; ++row) {
    T* a = s.a + row * 3 * H;
    const T* hid = s.hidden + row * 3 * H;
    T* h = s.h + row * H;
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T r = sigmoid(a[j] + hid[j]);
      const T z = sigmoid(a[H + j] + hid[H + j]);
      const T hn = hid[2 * H + j] + s.b_hn[j];
      const T n = tanh_fast(a[2 * H + j] + r * hn);
      const T h_next = (T(1) - z) * n + z * h[j];
      a[j] = r;
      a[H + j] = z;
      a[2 * H + j] = n;
      s.n_hidden[row * H + j] = hn;
      s.h_prev[row * H + j] = h[j];
      s.out[row * H + j] = h_next;
      h[j] = h_next;
    }
  }
}

// Plain RNN: h' = tanh(a), with a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.
template <typename T>
void rnn_forward_step(const StepBuffers<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t r = 0; r < rows; ++r) {
    T* a = s.a + r * H;
    T* h = s.h + r * H;
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T h_next = tanh_fast(a[j]);
      a[j] = h_next;
      s.h_prev[r * H + j] = h[j];
      s.out[r * H + j] = h_next;
      h[j] = h_next;
    }
  }
}

// Backward buffers of one step. `dh` and `dc` are the running gradients [B, H] with respect to the
// states after this step (from later steps); `dout` is the gradient of this step's outputs. The loop
// writes the gate gradients (`dg` for the input side, `dgh` for the hidden side, which differ only
// for the GRU's n gate) and leaves in dh/dc what does not go through W_hh.
template <typename T>
struct StepGrads {
  const T* act;       // saved activations [rows, G·H]
  const T* out;       // saved outputs [rows, H]
  const T* h_prev;    // saved h before the step
  const T* c_prev;    // LSTM
  const T* c_new;     // LSTM
  const T* n_hidden;  // GRU
  const T* dout;      // [rows, H]
  T* dh;              // running [B, H]
  T* dc;              // running [B, H] (LSTM)
  T* dg;              // [rows, G·H]
  T* dgh;             // GRU: hidden-side gate gradients [rows, 3H]
};

// LSTM backward, with dh' the total gradient of h' and dc' that of c' from later steps:
//   dc = dc' + dh' ⊙ o ⊙ (1 − tanh²c')     (the c' gradient the step sees)
//   do = dh' ⊙ tanh c'   di = dc ⊙ g   df = dc ⊙ c   dg = dc ⊙ i   dc_prev = dc ⊙ f
// then through the nonlinearities: σ' = σ(1 − σ), tanh' = 1 − tanh².
template <typename T>
void lstm_backward_step(const StepGrads<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* a = s.act + r * 4 * H;
    T* dg = s.dg + r * 4 * H;
    T* dh = s.dh + r * H;
    T* dc = s.dc + r * H;
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
      const T grad_h = dh[j] + s.dout[r * H + j];
      const T tc = tanh_fast(s.c_new[r * H + j]);
      const T grad_c = dc[j] + grad_h * o * (T(1) - tc * tc);
      dg[j] = grad_c * g * i * (T(1) - i);
      dg[H + j] = grad_c * s.c_prev[r * H + j] * f * (T(1) - f);
      dg[2 * H + j] = grad_c * i * (T(1) - g * g);
      dg[3 * H + j] = grad_h * tc * o * (T(1) - o);
      dc[j] = grad_c * f;
    }
  }
}

// GRU backward, with dh' the total gradient of h':
//   dn = dh' ⊙ (1 − z)   dz = dh' ⊙ (h − n)   dh_prev = dh' ⊙ z + (hidden-side gates) · W_hh
//   da_n = dn ⊙ (1 − n²)  dr = da_n ⊙ (W_hn·h + b_hn)  da_r = dr ⊙ r(1 − r)  da_z = dz ⊙ z(1 − z)
// The input side sees (da_r, da_z, da_n); the hidden side (da_r, da_z, da_n ⊙ r), because r
// multiplies W_hn·h + b_hn.
template <typename T>
void gru_backward_step(const StepGrads<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t row = 0; row < rows; ++row) {
    const T* a = s.act + row * 3 * H;
    T* dg = s.dg + row * 3 * H;
    T* dgh = s.dgh + row * 3 * H;
    T* dh = s.dh + row * H;
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T r = a[j], z = a[H + j], n = a[2 * H + j];
      const T grad_h = dh[j] + s.dout[row * H + j];
      const T da_n = grad_h * (T(1) - z) * (T(1) - n * n);
      const T da_r = da_n * s.n_hidden[row * H + j] * r * (T(1) - r);
      const T da_z = grad_h * (s.h_prev[row * H + j] - n) * z * (T(1) - z);
      dg[j] = dgh[j] = da_r;
      dg[H + j] = dgh[H + j] = da_z;
      dg[2 * H + j] = da_n;
      dgh[2 * H + j] = da_n * r;
      dh[j] = grad_h * z;
    }
  }
}

// RNN backward: da = dh' ⊙ (1 − h'²).
template <typename T>
void rnn_backward_step(const StepGrads<T>& s, std::int64_t rows, std::int64_t H) {
  for (std::int64_t r = 0; r < rows; ++r) {
#pragma GCC ivdep
    for (std::int64_t j = 0; j < H; ++j) {
      const T h = s.out[r * H + j];
      const T grad_h = s.dh[r * H + j] + s.dout[r * H + j];
      s.dg[r * H + j] = grad_h * (T(1) - h * h);
    }
  }
}

// One step of the gate loops, for any cell type.
template <typename T>
void forward_step(CellType cell, const StepBuffers<T>& b, std::int64_t rows, std::int64_t H) {
  switch (cell) {
    case CellType::kLstm: lstm_forward_step(b, rows, H); break;
    case CellType::kGru: gru_forward_step(b, rows, H); break;
    case CellType::kRnn: rnn_forward_step(b, rows, H); break;
  }
}

template <typename T>
void backward_step(CellType cell, const StepGrads<T>& g, std::int64_t rows, std::int64_t H) {
  switch (cell) {
    case CellType::kLstm: lstm_backward_step(g, rows, H); break;
    case CellType::kGru: gru_backward_step(g, rows, H); break;
    case CellType::kRnn: rnn_backward_step(g, rows, H); break;
  }
}

// For float, the overloads below (preferred to the templates) are compiled twice, for x86-64 with
// AVX2 (8 floats per instruction) and for plain x86-64 (SSE2, 4), and the program picks the one
// the CPU has when it starts (GCC's function multiversioning): one binary, portable and fast.
// `flatten` inlines the loops into each version (else both would call the same plain-x86-64 code).
// Both do the same operations in the same order (no FMA), so they give the same bits. double (the
// tests' precision) takes the templates, compiled once.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CH06_SIMD_CLONES __attribute__((target_clones("avx2", "default"), flatten))
#else
#define CH06_SIMD_CLONES
#endif

CH06_SIMD_CLONES void forward_step(CellType cell, const StepBuffers<float>& b, std::int64_t rows,
                                   std::int64_t H) {
  forward_step<float>(cell, b, rows, H);
}

CH06_SIMD_CLONES void backward_step(CellType cell, const StepGrads<float>& g, std::int64_t rows,
                                    std::int64_t H) {
  backward_step<float>(cell, g, rows, H);
}

template <typename T>
T* ptr(const Tensor& t, std::int64_t row = 0) {
  return t.defined() ? t.data_ptr<T>() + row * (t.dim() > 1 ? t.size(1) : 0) : nullptr;
}

// What backward needs from one direction's forward pass, besides its input, weights and outputs.
struct Saved {
  Tensor act;       // the gate activations [N, G·H]
  Tensor h_prev;    // h before each step [N, H]
  Tensor c_prev;    // LSTM: c before each step
  Tensor c_new;     // LSTM: c after each step
  Tensor n_hidden;  // GRU: W_hn·h + b_hn
};

// The state of every sequence after a direction's last step (h_n, c_n), each [B, H].
struct FinalState {
  Tensor h, c;
};

// One direction's forward pass over the packed rows; returns the outputs [N, H] and fills `saved`
// and `final`. `h0` and `c0` [B, H] are the initial states (undefined: zeros).
Tensor direction_forward(CellType cell, const Tensor& input, const RecurrentWeights& w, const Steps& steps,
                         Saved& saved, FinalState& last, const Tensor& h0 = {}, const Tensor& c0 = {}) {
  const std::int64_t n_rows = input.size(0);
  const std::int64_t H = w.w_hh.size(1);
  const std::int64_t batch = steps.rows.empty() ? 0 : steps.rows[0];
  const auto opts = input.options();

  // The input projection of every step at once: one GEMM over all packed rows. The biases that
  // simply add (all of them, except the GRU's b_hn, which r multiplies) go in here too.
  Tensor bias = w.b_ih.clone();
  if (cell == CellType::kGru) {
    bias.narrow(0, 0, 2 * H).add_(w.b_hh.narrow(0, 0, 2 * H));
  } else {
    bias.add_(w.b_hh);
  }
  Tensor gates = torch::addmm(bias, input, w.w_ih.t());  // [N, G·H]
  Tensor out = torch::empty({n_rows, H}, opts);
  saved.h_prev = torch::empty({n_rows, H}, opts);
  const bool has_initial = h0.defined() && h0.numel() > 0;
  Tensor h = has_initial ? h0.contiguous().clone() : torch::zeros({batch, H}, opts);
  // The running c exists for every cell type, so that every type returns a c_n (zeros but for the LSTM).
  Tensor c = c0.defined() && c0.numel() > 0 ? c0.contiguous().clone() : torch::zeros({batch, H}, opts);
  Tensor hidden;
  if (cell == CellType::kLstm) {
    saved.c_prev = torch::empty({n_rows, H}, opts);
    saved.c_new = torch::empty({n_rows, H}, opts);
  }
  if (cell == CellType::kGru) {
    hidden = torch::zeros({batch, 3 * H}, opts);
    saved.n_hidden = torch::empty({n_rows, H}, opts);
  }
  const Tensor w_hh_t = w.w_hh.t();
  const Tensor b_hn = cell == CellType::kGru ? w.b_hh.narrow(0, 2 * H, H).contiguous() : Tensor();

  // [time loop]
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "fused_recurrent_forward", [&] {
    using T = scalar_t;
    for (std::size_t k = 0; k < steps.order.size(); ++k) {
      const auto t = static_cast<std::size_t>(steps.order[k]);
      const std::int64_t rows = steps.rows[t];
      const std::int64_t p = steps.offset[t];
      Tensor step_gates = gates.narrow(0, p, rows);
      // The one per-step GEMM: the active rows' previous h times W_hhᵀ. At the first step h = 0,
      // unless an initial state was given.
      if (k > 0 || has_initial) {
        if (cell == CellType::kGru) {
          Tensor step_hidden = hidden.narrow(0, 0, rows);
          torch::mm_out(step_hidden, h.narrow(0, 0, rows), w_hh_t);
        } else {
          step_gates.addmm_(h.narrow(0, 0, rows), w_hh_t);
        }
      }
      const StepBuffers<T> b{ptr<T>(gates, p),
                             ptr<T>(h),
                             ptr<T>(c),
                             ptr<T>(hidden),
                             ptr<T>(b_hn),
                             ptr<T>(out, p),
                             ptr<T>(saved.h_prev, p),
                             ptr<T>(saved.c_prev, p),
                             ptr<T>(saved.c_new, p),
                             ptr<T>(saved.n_hidden, p)};
      forward_step(cell, b, rows, H);
    }
  });
  // [time loop]
  saved.act = gates;  // now the activations
  last = {h, c};
  return out;
}

// The gradients of one direction: its input, its four weights and its initial state.
struct DirectionGrads {
  Tensor input, w_ih, w_hh, b_ih, b_hh, h0, c0;
};

// One direction's backward pass: the time loop in reverse, then one GEMM (or a column sum) for each
// gradient that does not depend on the previous step.
// `grad_h_n` and `grad_c_n` are the gradients of the final states (undefined: zeros); with
// `has_initial`, the gradients of the initial states are returned as well.
DirectionGrads direction_backward(CellType cell, const Tensor& input, const Tensor& w_ih, const Tensor& w_hh,
                                  const Tensor& out, const Saved& saved, const Steps& steps, const Tensor& grad_out,
                                  const Tensor& grad_h_n = {}, const Tensor& grad_c_n = {},
                                  bool has_initial = false) {
  const std::int64_t n_rows = input.size(0);
  const std::int64_t H = w_hh.size(1);
  const std::int64_t gh = w_hh.size(0);
  const std::int64_t batch = steps.rows.empty() ? 0 : steps.rows[0];
  const auto opts = input.options();
  const Tensor dout = grad_out.defined() ? grad_out.contiguous() : torch::zeros({n_rows, H}, opts);

  // Every packed row is a real step, so every row of the gate gradients gets written.
  Tensor dg = torch::empty({n_rows, gh}, opts);
  Tensor dgh = cell == CellType::kGru ? torch::empty({n_rows, gh}, opts) : dg;
  // The running gradients start as those of the final states: a sequence that ends before the last
  // step keeps its state from then on, so its h_n gradient is that of its last step's output state.
  Tensor dh = grad_h_n.defined() ? grad_h_n.contiguous().clone() : torch::zeros({batch, H}, opts);
  Tensor dc;
  if (cell == CellType::kLstm) {
    dc = grad_c_n.defined() ? grad_c_n.contiguous().clone() : torch::zeros({batch, H}, opts);
  }

  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "fused_recurrent_backward", [&] {
    using T = scalar_t;
    for (std::size_t k = steps.order.size(); k-- > 0;) {
      const auto t = static_cast<std::size_t>(steps.order[k]);
      const std::int64_t rows = steps.rows[t];
      const std::int64_t p = steps.offset[t];
      const StepGrads<T> g{ptr<T>(saved.act, p),   ptr<T>(out, p),  ptr<T>(saved.h_prev, p),
                           ptr<T>(saved.c_prev, p), ptr<T>(saved.c_new, p), ptr<T>(saved.n_hidden, p),
                           ptr<T>(dout, p),         ptr<T>(dh),      ptr<T>(dc),
                           ptr<T>(dg, p),           ptr<T>(dgh, p)};
      backward_step(cell, g, rows, H);
      // dh for the previous step: the hidden-side gate gradients times W_hh (plus, for the GRU,
      // the z ⊙ dh' the loop left in dh). Before the first step h = 0, so nothing flows back,
      // unless an initial state was given: then what is left in dh (and dc) is its gradient.
      if (k > 0 || has_initial) {
        Tensor dh_rows = dh.narrow(0, 0, rows);
        if (cell == CellType::kGru) {
          dh_rows.addmm_(dgh.narrow(0, p, rows), w_hh);
        } else {
          torch::mm_out(dh_rows, dg.narrow(0, p, rows), w_hh);
        }
      }
    }
  });

  // Everything else is one large GEMM (or a column sum) over all steps.
  DirectionGrads grads{torch::mm(dg, w_ih), torch::mm(dg.t(), input), torch::mm(dgh.t(), saved.h_prev),
                       dg.sum(0), dgh.sum(0), Tensor(), Tensor()};
  if (has_initial) {
    grads.h0 = dh;
    grads.c0 = cell == CellType::kLstm ? dc : Tensor();
  }
  return grads;
}

void save(AutogradContext* ctx, const std::string& prefix, const Saved& saved) {
  ctx->saved_data[prefix + "act"] = saved.act;
  ctx->saved_data[prefix + "h_prev"] = saved.h_prev;
  ctx->saved_data[prefix + "c_prev"] = saved.c_prev;
  ctx->saved_data[prefix + "c_new"] = saved.c_new;
  ctx->saved_data[prefix + "n_hidden"] = saved.n_hidden;
}

Saved load(AutogradContext* ctx, const std::string& prefix) {
  return {ctx->saved_data[prefix + "act"].toTensor(), ctx->saved_data[prefix + "h_prev"].toTensor(),
          ctx->saved_data[prefix + "c_prev"].toTensor(), ctx->saved_data[prefix + "c_new"].toTensor(),
          ctx->saved_data[prefix + "n_hidden"].toTensor()};
}

// OpenBLAS's thread count, looked up at run time (the process may run on another BLAS: then 1).
int blas_threads() {
  using GetThreads = int (*)();
  static const auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get != nullptr ? get() : 1;
}

void set_blas_threads(int n) {
  using SetThreads = void (*)(int);
  static const auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set != nullptr) set(n);
}

// One helper thread that lives as long as the process. A new thread per call would be slower:
// OpenBLAS sets up its work buffers for each thread that calls it.
class Worker {
 public:
  Worker() : thread_([this] { loop(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

  // Starts `task` on the helper thread; the future says when it is done (and rethrows its error).
  std::future<void> submit(std::function<void()> task) {
    std::packaged_task<void()> job(std::move(task));
    std::future<void> done = job.get_future();
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      job_ = std::move(job);
      pending_ = true;
    }
    ready_.notify_one();
    return done;
  }

 private:
  void loop() {
    for (;;) {
      std::packaged_task<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return stop_ || pending_; });
        if (!pending_) return;  // stopping, nothing left to run
        job = std::move(job_);
        pending_ = false;
      }
      torch::NoGradGuard no_grad;  // grad mode is per thread; the jobs fill raw buffers, not a graph
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::packaged_task<void()> job_;
  bool pending_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

Worker& helper_thread() {
  static Worker worker;
  return worker;
}

// Runs `first` and `second` at the same time when the BLAS has two or more threads: each on one
// core with a single-threaded BLAS, which keeps both cores busy through the gate loops and the
// small per-step GEMMs as well. Otherwise one after the other.
template <class First, class Second>
void run_both(const First& first, const Second& second) {
  const int threads = blas_threads();
  if (threads < 2) {
    first();
    second();
    return;
  }
  set_blas_threads(1);
  std::future<void> other = helper_thread().submit(second);
  try {
    first();
  } catch (...) {
    other.wait();
    set_blas_threads(threads);
    throw;
  }
  other.wait();
  set_blas_threads(threads);
  other.get();  // rethrows what `second` threw
}

// One layer in one direction, from an initial state (or zeros). Returns the outputs, h_n and c_n.
class FusedLayer : public torch::autograd::Function<FusedLayer> {
 public:
  static variable_list forward(AutogradContext* ctx, const Tensor& input, const Tensor& w_ih, const Tensor& w_hh,
                               const Tensor& b_ih, const Tensor& b_hh, const Tensor& h0, const Tensor& c0,
                               const Tensor& batch_sizes, std::int64_t cell_code, bool reverse) {
    const auto cell = static_cast<CellType>(cell_code);
    const Tensor x = input.contiguous();
    Saved saved;
    FinalState last;
    Tensor out = direction_forward(cell, x, {w_ih, w_hh, b_ih, b_hh}, make_steps(batch_sizes, reverse), saved,
                                   last, h0, c0);
    ctx->save_for_backward({x, w_ih, w_hh, out});
    save(ctx, "", saved);
    ctx->saved_data["batch_sizes"] = batch_sizes;
    ctx->saved_data["cell"] = cell_code;
    ctx->saved_data["reverse"] = reverse;
    ctx->saved_data["has_initial"] = h0.numel() > 0;
    ctx->saved_data["has_c0"] = c0.numel() > 0;
    return {out, last.h, last.c};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto v = ctx->get_saved_variables();
    const auto cell = static_cast<CellType>(ctx->saved_data["cell"].toInt());
    const Steps steps = make_steps(ctx->saved_data["batch_sizes"].toTensor(), ctx->saved_data["reverse"].toBool());
    const bool has_initial = ctx->saved_data["has_initial"].toBool();
    const DirectionGrads g = direction_backward(cell, v[0], v[1], v[2], v[3], load(ctx, ""), steps, grad_outputs[0],
                                                grad_outputs[1], grad_outputs[2], has_initial);
    const Tensor c0_grad = ctx->saved_data["has_c0"].toBool() ? g.c0 : Tensor();
    return {g.input, g.w_ih, g.w_hh, g.b_ih, g.b_hh, g.h0, c0_grad, Tensor(), Tensor(), Tensor()};
  }
};

// One layer in both directions, the two run at the same time (see run_both). Returns the forward
// and the backward direction's outputs.
class FusedBidirectionalLayer : public torch::autograd::Function<FusedBidirectionalLayer> {
 public:
  static variable_list forward(AutogradContext* ctx, const Tensor& input, const Tensor& f_w_ih, const Tensor& f_w_hh,
                               const Tensor& f_b_ih, const Tensor& f_b_hh, const Tensor& r_w_ih, const Tensor& r_w_hh,
                               const Tensor& r_b_ih, const Tensor& r_b_hh, const Tensor& batch_sizes,
                               std::int64_t cell_code) {
    const auto cell = static_cast<CellType>(cell_code);
    const Tensor x = input.contiguous();
    const Steps forward_steps = make_steps(batch_sizes, false);
    const Steps backward_steps = make_steps(batch_sizes, true);
    Saved f_saved, r_saved;
    FinalState f_final, r_final;
    Tensor f_out, r_out;
    run_both(
        [&] { f_out = direction_forward(cell, x, {f_w_ih, f_w_hh, f_b_ih, f_b_hh}, forward_steps, f_saved, f_final); },
        [&] { r_out = direction_forward(cell, x, {r_w_ih, r_w_hh, r_b_ih, r_b_hh}, backward_steps, r_saved, r_final); });
    ctx->save_for_backward({x, f_w_ih, f_w_hh, f_out, r_w_ih, r_w_hh, r_out});
    save(ctx, "f_", f_saved);
    save(ctx, "r_", r_saved);
    ctx->saved_data["batch_sizes"] = batch_sizes;
    ctx->saved_data["cell"] = cell_code;
    return {f_out, r_out, f_final.h, f_final.c, r_final.h, r_final.c};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto v = ctx->get_saved_variables();
    const auto cell = static_cast<CellType>(ctx->saved_data["cell"].toInt());
    const Tensor batch_sizes = ctx->saved_data["batch_sizes"].toTensor();
    const Saved f_saved = load(ctx, "f_");
    const Saved r_saved = load(ctx, "r_");
    DirectionGrads f, r;
    run_both(
        [&] {
          f = direction_backward(cell, v[0], v[1], v[2], v[3], f_saved, make_steps(batch_sizes, false),
                                 grad_outputs[0], grad_outputs[2], grad_outputs[3]);
        },
        [&] {
          r = direction_backward(cell, v[0], v[4], v[5], v[6], r_saved, make_steps(batch_sizes, true),
                                 grad_outputs[1], grad_outputs[4], grad_outputs[5]);
        });
    return {f.input + r.input, f.w_ih, f.w_hh, f.b_ih, f.b_hh, r.w_ih, r.w_hh, r.b_ih, r.b_hh, Tensor(), Tensor()};
  }
};

}  // namespace

FusedRun fused_recurrent_run(CellType cell, const torch::Tensor& input, const RecurrentWeights& weights,
                             const torch::Tensor& batch_sizes, bool reverse, const torch::Tensor& h0,
                             const torch::Tensor& c0) {
  // An autograd function's tensor inputs must all be defined: "no initial state" is an empty one.
  const auto given = [&](const torch::Tensor& t) { return t.defined() ? t : torch::empty({0}, input.options()); };
  const auto out = FusedLayer::apply(input, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh, given(h0),
                                     given(c0), batch_sizes, static_cast<std::int64_t>(cell), reverse);
  return {out[0], out[1], out[2]};
}

torch::Tensor fused_recurrent_layer(CellType cell, const torch::Tensor& input, const RecurrentWeights& weights,
                                    const torch::Tensor& batch_sizes, bool reverse) {
  return fused_recurrent_run(cell, input, weights, batch_sizes, reverse).output;
}

std::pair<FusedRun, FusedRun> fused_bidirectional_run(CellType cell, const torch::Tensor& input,
                                                      const RecurrentWeights& forward_weights,
                                                      const RecurrentWeights& backward_weights,
                                                      const torch::Tensor& batch_sizes) {
  const auto& f = forward_weights;
  const auto& r = backward_weights;
  const auto out = FusedBidirectionalLayer::apply(input, f.w_ih, f.w_hh, f.b_ih, f.b_hh, r.w_ih, r.w_hh, r.b_ih,
                                                  r.b_hh, batch_sizes, static_cast<std::int64_t>(cell));
  return {{out[0], out[2], out[3]}, {out[1], out[4], out[5]}};
}

std::pair<torch::Tensor, torch::Tensor> fused_bidirectional_layer(CellType cell, const torch::Tensor& input,
                                                                  const RecurrentWeights& forward_weights,
                                                                  const RecurrentWeights& backward_weights,
                                                                  const torch::Tensor& batch_sizes) {
  auto [f, r] = fused_bidirectional_run(cell, input, forward_weights, backward_weights, batch_sizes);
  return {f.output, r.output};
}

torch::Tensor fused_final_states(CellType cell, torch::nn::Module& recurrent,
                                 const torch::Tensor& embedded, const torch::Tensor& lengths,
                                 std::int64_t num_layers, bool bidirectional, double between,
                                 bool training) {
  namespace rnn_utils = torch::nn::utils::rnn;
  const auto packed = rnn_utils::pack_padded_sequence(embedded, lengths, /*batch_first=*/true,
                                                      /*enforce_sorted=*/false);
  const torch::Tensor& batch_sizes = packed.batch_sizes();
  const auto params = recurrent.named_parameters(/*recurse=*/false);
  torch::Tensor x = packed.data();  // [N, in]
  std::vector<torch::Tensor> finals;
  for (std::int64_t layer = 0; layer < num_layers; ++layer) {
    if (layer > 0) x = book::dropout(x, between, training);
    auto weights = [&](bool reverse) {
      const std::string suffix = "_l" + std::to_string(layer) + (reverse ? "_reverse" : "");
      return RecurrentWeights{params["weight_ih" + suffix], params["weight_hh" + suffix],
                              params["bias_ih" + suffix], params["bias_hh" + suffix]};
    };
    // Each run's h_n: the forward state after a sequence's last step, the backward after its first.
    std::vector<FusedRun> runs;
    if (bidirectional) {
      auto [forward, backward] = fused_bidirectional_run(cell, x, weights(false), weights(true), batch_sizes);
      runs = {forward, backward};
    } else {
      runs = {fused_recurrent_run(cell, x, weights(false), batch_sizes, /*reverse=*/false)};
    }
    for (const FusedRun& run : runs) finals.push_back(run.h_n);
    if (layer + 1 < num_layers) x = bidirectional ? torch::cat({runs[0].output, runs[1].output}, 1) : runs[0].output;
  }
  return torch::stack(finals).index_select(1, packed.unsorted_indices());  // the batch's order
}

}  // namespace ch06
