#include "book/torch_utils.h"

#include "book/files.h"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace book {

torch::Device pick_device(bool force_cpu) {
  if (!force_cpu && torch::cuda::is_available()) return torch::Device(torch::kCUDA);
  return torch::Device(torch::kCPU);
}

void seed_torch(std::uint64_t seed) {
  torch::manual_seed(seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

namespace {

// OpenBLAS's own controls, looked up at run time: the process may run on another BLAS.
using GetConfig = char* (*)();
using GetThreads = int (*)();
using SetThreads = void (*)(int);

template <class Fn>
Fn blas_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

std::string sgemm_library() {
  void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (sgemm == nullptr || dladdr(sgemm, &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code error;
  const std::filesystem::path real = std::filesystem::canonical(info.dli_fname, error);  // through the symlinks
  return error ? std::string(info.dli_fname) : real.string();
}

std::string blas_description() {
  // Ask where the float matrix product comes from, not which BLAS is loaded: with
  // LD_LIBRARY_PATH pointing at the reference BLAS, OpenBLAS can still be loaded (and answer
  // openblas_get_config) while sgemm_ comes from the reference library.
  const std::string library = sgemm_library();
  const auto config = blas_symbol<GetConfig>("openblas_get_config");
  if (config != nullptr && library.find("openblas") != std::string::npos) {
    const std::string text = config();  // "OpenBLAS 0.3.21 ... SkylakeX MAX_THREADS=64"
    return text.rfind("OpenBLAS", 0) == 0 ? text : "OpenBLAS " + text;
  }
  if (library.empty()) return "unknown BLAS (sgemm_ not found)";
  if (library.find("/blas/") != std::string::npos) {
    return "reference BLAS (slow: install libopenblas0-pthread) " + library;
  }
  return "BLAS from " + library;
}

ThreadPolicy apply_threads(int requested) {
  ThreadPolicy policy;
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // [threads]
  policy.torch_threads = 1;
  torch::set_num_threads(policy.torch_threads);
  const auto set_blas = blas_symbol<SetThreads>("openblas_set_num_threads");
  const auto get_blas = blas_symbol<GetThreads>("openblas_get_num_threads");
  if (set_blas != nullptr) set_blas(requested > 0 ? requested : cores);
  // [threads]
  policy.blas = blas_description();
  // OpenBLAS's pool only counts when the products run on OpenBLAS; any other BLAS is taken as serial.
  const bool openblas = policy.blas.rfind("OpenBLAS", 0) == 0;
  policy.blas_threads = openblas && get_blas != nullptr ? get_blas() : 1;
  return policy;
}

bool keep_freed_memory() {
#if defined(__GLIBC__)
  // [malloc]
  // Blocks under 4 MB come from the heap, and the heap keeps up to 256 MB of freed memory at its
  // top instead of handing it back to the kernel.
  const bool heap = mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024) == 1;
  const bool keep = mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024) == 1;
  // [malloc]
  return heap && keep;
#else
  return false;
#endif
}

RunContext start_run(const CommonOptions& options, bool force_cpu) {
  keep_freed_memory();
  RunContext context;
  seed_torch(options.seed);
  context.rng.seed(options.seed);
  context.threads = apply_threads(options.threads);
  context.device = pick_device(force_cpu);
  return context;
}

ParameterCount count_parameters(const torch::nn::Module& module) {
  ParameterCount count;
  for (const auto& p : module.parameters()) {
    count.total += p.numel();
    if (p.requires_grad()) count.trainable += p.numel();
  }
  count.fp32_megabytes = static_cast<double>(count.total) * 4.0 / 1e6;
  return count;
}

std::string with_thousands(std::int64_t value) {
  const bool negative = value < 0;
  std::string digits = std::to_string(negative ? -static_cast<unsigned long long>(value)
                                               : static_cast<unsigned long long>(value));
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[static_cast<std::size_t>(i)];
  }
  return negative ? "-" + out : out;
}

void log_model_info(spdlog::logger& log, const torch::nn::Module& module) {
  std::ostringstream arch;
  arch << module;
  log.info("Model architecture:\n{}", arch.str());
  const ParameterCount count = count_parameters(module);
  log.info("Total parameters: {}", with_thousands(count.total));
  log.info("Trainable parameters: {}", with_thousands(count.trainable));
  log.info("Model size (fp32): {:.2f} MB", count.fp32_megabytes);
}

namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormatName = "rnn-book-checkpoint-1";

// Parameters and buffers by their dotted names.
std::vector<std::pair<std::string, torch::Tensor>> named_state(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : module.named_parameters()) state.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) state.emplace_back(item.key(), item.value());
  return state;
}

c10::impl::GenericDict read_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (std::filesystem::exists(path, ec)) throw std::runtime_error("checkpoint '" + path.string() + "' is not a file");
    throw std::runtime_error("checkpoint '" + path.string() + "' does not exist");
  }
  const std::string bytes = read_file(path);
  // torch::pickle_save writes a zip archive that ends with its 22-byte end-of-central-directory
  // record and no comment. The zip reader finds that record even when bytes are missing after it,
  // so a file cut short by a few bytes would load: check the ending first.
  constexpr std::size_t kEndRecord = 22;
  if (bytes.size() < kEndRecord || bytes.compare(bytes.size() - kEndRecord, 4, "PK\x05\x06") != 0 ||
      bytes[bytes.size() - 2] != '\0' || bytes[bytes.size() - 1] != '\0') {
    throw std::runtime_error("checkpoint '" + path.string() + "' is corrupt or truncated");
  }
  torch::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const std::exception&) {
    throw std::runtime_error("checkpoint '" + path.string() + "' is corrupt or truncated");
  }
  if (!value.isGenericDict()) throw std::runtime_error("'" + path.string() + "' is not a checkpoint of this book");
  auto dict = value.toGenericDict();
  if (!dict.contains(kFormatKey) || !dict.at(kFormatKey).isString() ||
      dict.at(kFormatKey).toStringRef() != kFormatName || !dict.contains("meta") ||
      !dict.contains("state")) {
    throw std::runtime_error("'" + path.string() + "' is not a checkpoint of this book");
  }
  return dict;
}

}  // namespace

void save_checkpoint(const torch::nn::Module& module, const nlohmann::json& meta,
                     const std::filesystem::path& path) {
  c10::Dict<std::string, torch::Tensor> state;
  for (const auto& [name, tensor] : named_state(module)) state.insert(name, tensor.detach().cpu());
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert(kFormatKey, std::string(kFormatName));
  dict.insert("meta", meta.dump());
  dict.insert("state", state);
  const std::vector<char> bytes = torch::pickle_save(dict);
  write_text(path, std::string(bytes.begin(), bytes.end()));
}

nlohmann::json load_checkpoint_meta(const std::filesystem::path& path) {
  auto dict = read_checkpoint(path);
  try {
    return nlohmann::json::parse(dict.at("meta").toStringRef());
  } catch (const std::exception&) {
    throw std::runtime_error("checkpoint '" + path.string() + "' has unreadable metadata");
  }
}

void load_checkpoint_weights(torch::nn::Module& module, const std::filesystem::path& path) {
  auto dict = read_checkpoint(path);
  auto stored = c10::impl::toTypedDict<std::string, torch::Tensor>(dict.at("state").toGenericDict());
  const auto state = named_state(module);
  const std::string where = "checkpoint '" + path.string() + "'";
  for (const auto& [name, tensor] : state) {
    auto it = stored.find(name);
    if (it == stored.end()) throw std::runtime_error(where + " has no tensor '" + name + "' (another architecture?)");
    if (it->value().sizes() != tensor.sizes()) {
      std::ostringstream msg;
      msg << where << ": '" << name << "' has shape " << it->value().sizes() << ", the model expects "
          << tensor.sizes() << " (another architecture?)";
      throw std::runtime_error(msg.str());
    }
  }
  if (stored.size() != state.size()) {
    throw std::runtime_error(where + " holds " + std::to_string(stored.size()) + " tensors, the model has " +
                             std::to_string(state.size()) + " (another architecture?)");
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : state) tensor.copy_(stored.at(name));
}

}  // namespace book
