/// \file
/// The machine's fp32 matrix-product rate through LibTorch: the ceiling that training throughput is
/// compared against. Prints one JSON line: {"n": 1024, "gflops": ..., "threads": ...}.
#include "book/cli.h"
#include "book/files.h"
#include "book/timer.h"
#include "book/torch_utils.h"

#include <iostream>

int main(int argc, char** argv) {
  book::Cli app{"fp32 GEMM rate (n x n times n x n) through LibTorch, as the median of --repeats runs", "bench_gemm_peak"};
  book::CommonOptions common;
  int n = 1024;
  int repeats = 10;
  book::add_common_options(app, common, book::default_out_dir("bench_gemm_peak"));
  app.add_option("--n", n, "Matrix size")->capture_default_str()->check(book::int_range(16, 8192));
  app.add_option("--repeats", repeats, "Timed products")->capture_default_str()->check(book::int_range(1, 1000));
  return book::run_program(app, argc, argv, [&] {
    const book::ThreadPolicy policy = book::apply_threads(common.threads);
    torch::manual_seed(common.seed);
    const torch::Tensor a = torch::randn({n, n});
    const torch::Tensor b = torch::randn({n, n});
    torch::Tensor c = torch::empty({n, n});
    const double seconds = book::median_seconds([&] { torch::mm_out(c, a, b); }, repeats, 2);
    const double gflops = 2.0 * n * static_cast<double>(n) * n / seconds / 1e9;
    std::cout << nlohmann::json{{"n", n}, {"gflops", gflops}, {"blas_threads", policy.blas_threads},
                                {"blas", policy.blas}}.dump()
              << '\n';
    return 0;
  });
}
