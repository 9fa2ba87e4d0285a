#pragma once
/// \file
/// LibTorch helpers every chapter uses: device choice, seeding, the thread policy, the model
/// summary, and checkpoints that know what they hold.
#include "book/cli.h"
#include "book/rng.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace book {

/// CUDA if it is available and `force_cpu` is false, else the CPU.
torch::Device pick_device(bool force_cpu = false);

/// Seeds torch's generators (CPU and, if present, CUDA).
void seed_torch(std::uint64_t seed);

/// What the thread policy chose.
struct ThreadPolicy {
  int torch_threads = 1;  ///< torch's intra-op threads (element-wise ops, its own kernels)
  int blas_threads = 1;   ///< OpenBLAS's threads (the GEMMs inside RNN layers); 1 for any other BLAS
  std::string blas;       ///< which BLAS the process runs on, e.g. "OpenBLAS 0.3.21 ..."
};

/// Applies the thread policy: torch runs 1 intra-op thread and OpenBLAS runs the GEMMs (where an
/// RNN spends its time) on `requested` threads, or on every core if `requested` is 0. Measured on 2
/// cores (ch06_main, LSTM, 1 epoch of 2,000 names): torch 1 + OpenBLAS 2 trained in 5.0 s, torch 1 +
/// OpenBLAS 1 in 6.5 s, torch 2 + OpenBLAS 2 in 10.0 s (both pools spin on the same cores).
ThreadPolicy apply_threads(int requested);

/// The real path of the shared library the process's `sgemm_` (the float matrix product LibTorch
/// calls) comes from, or "" if there is none.
std::string sgemm_library();

/// The BLAS this process's float matrix products run on: OpenBLAS's name and configuration, or
/// "reference BLAS (slow: ...) <path>", or "BLAS from <path>" for any other.
std::string blas_description();

/// Tells the C library to reuse freed memory instead of handing it back to the kernel. A training
/// step allocates and frees the same large activation buffers every batch; by default glibc maps
/// blocks over its mmap threshold (128 kB at first) fresh from the kernel and trims the top of the
/// heap, so the kernel maps and zeroes those pages again for every batch. Measured on ch06_main
/// (RNN, one epoch of 8,000 names, 3 runs each, interleaved): training 1.43–1.53 s against
/// 1.66–1.71 s, with the same peak memory (one epoch of 10,000 names with the LSTM: 298–299 MiB
/// against 295–299 MiB). Called by start_run. Returns false where it is not available (not glibc).
bool keep_freed_memory();

/// What every program sets up first.
struct RunContext {
  torch::Device device{torch::kCPU};  ///< where tensors live
  Rng rng;                            ///< the program's own engine, seeded from --seed
  ThreadPolicy threads;               ///< the thread policy in force
};

/// Seeds torch and the program's engine with `options.seed`, applies `options.threads`, keeps freed
/// memory in the process (keep_freed_memory), and picks the device (the CPU if `force_cpu`).
RunContext start_run(const CommonOptions& options, bool force_cpu = false);

/// Parameter counts and the size of the weights.
struct ParameterCount {
  std::int64_t total = 0;      ///< every parameter
  std::int64_t trainable = 0;  ///< those with requires_grad
  double fp32_megabytes = 0;   ///< total × 4 bytes, in MB (10^6 bytes)
};

/// Counts the parameters of `module` and its children.
ParameterCount count_parameters(const torch::nn::Module& module);

/// `1234567` → `"1,234,567"`.
std::string with_thousands(std::int64_t value);

/// Logs the architecture, the total and trainable parameter counts and the fp32 size.
void log_model_info(spdlog::logger& log, const torch::nn::Module& module);

/// Saves the parameters and buffers of `module` together with `meta` (what is needed to rebuild
/// it: architecture, sizes, vocabulary). The file is torch's pickle format (readable by
/// `torch.load` in Python too) and is written atomically.
void save_checkpoint(const torch::nn::Module& module, const nlohmann::json& meta,
                     const std::filesystem::path& path);

/// Reads the `meta` stored by save_checkpoint. Throws std::runtime_error with a one-line reason if
/// the file is missing, truncated, corrupt or not a checkpoint of this book.
nlohmann::json load_checkpoint_meta(const std::filesystem::path& path);

/// Loads the weights stored by save_checkpoint into `module`. Every parameter and buffer must be
/// present with the same shape, and nothing else may be stored; otherwise std::runtime_error names
/// the first mismatch and `module` is left unchanged.
void load_checkpoint_weights(torch::nn::Module& module, const std::filesystem::path& path);

}  // namespace book
