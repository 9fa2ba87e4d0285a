// Self-checks of common/torch_utils: device, seeding, threads, the model summary and checkpoints.
#include "book/files.h"
#include "book/torch_utils.h"
#include "process.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using book::test::TempDir;

TEST_CASE("pick_device honours --cpu, and seeding makes torch repeat itself") {
  CHECK(book::pick_device(true).is_cpu());
  book::seed_torch(5);
  const auto a = torch::randn({4});
  book::seed_torch(5);
  const auto b = torch::randn({4});
  CHECK(torch::equal(a, b));
  book::seed_torch(6);
  CHECK_FALSE(torch::equal(a, torch::randn({4})));
}

TEST_CASE("start_run seeds the program's own engine from --seed") {
  book::CommonOptions options;
  options.seed = 11;
  auto r1 = book::start_run(options, true);
  auto r2 = book::start_run(options, true);
  CHECK(r1.rng() == r2.rng());
  CHECK(r1.device.is_cpu());
}

TEST_CASE("the thread policy keeps torch at one thread and names the BLAS") {
  const auto policy = book::apply_threads(1);
  CHECK(policy.torch_threads == 1);
  CHECK(torch::get_num_threads() == 1);
  CHECK(policy.blas.find("OpenBLAS") == 0);  // the install script installs OpenBLAS
  CHECK(policy.blas_threads == 1);
  CHECK(book::apply_threads(2).blas_threads == 2);
}

TEST_CASE("count_parameters counts all and trainable parameters, with the fp32 size") {
  torch::nn::Linear layer(3, 4);  // 3·4 weights + 4 biases
  auto count = book::count_parameters(*layer);
  CHECK(count.total == 16);
  CHECK(count.trainable == 16);
  CHECK(count.fp32_megabytes == doctest::Approx(16 * 4 / 1e6));
  layer->bias.set_requires_grad(false);
  count = book::count_parameters(*layer);
  CHECK(count.total == 16);
  CHECK(count.trainable == 12);
}

TEST_CASE("with_thousands groups digits by three") {
  CHECK(book::with_thousands(0) == "0");
  CHECK(book::with_thousands(999) == "999");
  CHECK(book::with_thousands(1000) == "1,000");
  CHECK(book::with_thousands(2373637) == "2,373,637");
  CHECK(book::with_thousands(-1234567) == "-1,234,567");
}

namespace {

struct Tiny : torch::nn::Module {
  explicit Tiny(int hidden) {
    fc = register_module("fc", torch::nn::Linear(3, hidden));
    norm = register_module("norm", torch::nn::BatchNorm1d(hidden));
  }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
};

}  // namespace

TEST_CASE("a checkpoint round trip restores parameters, buffers and metadata") {
  TempDir dir("ckpt");
  Tiny saved(4), loaded(4);
  {
    torch::NoGradGuard no_grad;
    saved.norm->running_mean.fill_(0.25);
  }
  book::save_checkpoint(saved, {{"hidden", 4}}, dir / "m.pth");
  CHECK(book::load_checkpoint_meta(dir / "m.pth") == nlohmann::json{{"hidden", 4}});
  CHECK_FALSE(torch::equal(saved.fc->weight, loaded.fc->weight));
  book::load_checkpoint_weights(loaded, dir / "m.pth");
  CHECK(torch::equal(saved.fc->weight, loaded.fc->weight));
  CHECK(torch::equal(saved.norm->running_mean, loaded.norm->running_mean));
}

TEST_CASE("bad checkpoints are explained in one line: missing, corrupt, truncated, other shapes") {
  TempDir dir("ckpt");
  Tiny model(4);
  CHECK_THROWS_WITH_AS(book::load_checkpoint_meta(dir / "none.pth"), doctest::Contains("does not exist"),
                       std::runtime_error);
  book::write_text(dir / "junk.pth", "this is not a checkpoint");
  CHECK_THROWS_WITH_AS(book::load_checkpoint_meta(dir / "junk.pth"), doctest::Contains("corrupt"),
                       std::runtime_error);
  book::save_checkpoint(model, {}, dir / "good.pth");
  const std::string bytes = book::read_file(dir / "good.pth");
  book::write_text(dir / "cut.pth", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH_AS(book::load_checkpoint_meta(dir / "cut.pth"), doctest::Contains("corrupt or truncated"),
                       std::runtime_error);
  Tiny wider(8);
  const auto before = wider.fc->weight.clone();
  CHECK_THROWS_WITH_AS(book::load_checkpoint_weights(wider, dir / "good.pth"), doctest::Contains("shape"),
                       std::runtime_error);
  CHECK(torch::equal(before, wider.fc->weight));  // left unchanged
  torch::nn::Linear other(3, 4);
  CHECK_THROWS_WITH_AS(book::load_checkpoint_weights(*other, dir / "good.pth"),
                       doctest::Contains("another architecture"), std::runtime_error);
}

#if defined(__GLIBC__)
TEST_CASE("keep_freed_memory: blocks under 4 MB come from the heap, and freed memory stays there") {
  REQUIRE(book::keep_freed_memory());
  // A 2 MB block: without the setting glibc maps it fresh from the kernel (mmap threshold 128 kB).
  const std::size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(std::size_t{2} << 20);
  REQUIRE(block != nullptr);
  CHECK(mallinfo2().hblkhd == mapped_before);
  std::free(block);
  // A 3 MB block freed at once: it joins the free space at the top of the heap, which glibc would
  // trim (its default trim threshold is 128 kB); the heap keeps it.
  void* top = std::malloc(std::size_t{3} << 20);
  REQUIRE(top != nullptr);
  const std::size_t heap_before = mallinfo2().arena;
  std::free(top);
  CHECK(mallinfo2().arena == heap_before);
}
#endif
