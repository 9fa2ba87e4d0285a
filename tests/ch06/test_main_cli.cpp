// Self-checks of ch06_main as a reader runs it: bad flags and files give one line and exit code 2 or
// 1 (never a signal), a run writes its artefacts, predict mode answers, and a seed repeats a run.
#include "book/files.h"
#include "process.h"

#include <doctest/doctest.h>

#include <regex>

#include <sys/stat.h>

using book::test::ProcessResult;
using book::test::TempDir;

namespace {

ProcessResult main_job(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), book::test::program("ch06_main"));
  return book::test::run_process(args, input);
}

// A small run's flags (about a second).
std::vector<std::string> small(const TempDir& dir, const std::string& model = "gru") {
  return {"--model_type", model, "--epochs", "1", "--data_size", "300", "--hidden_dim", "16",
          "--embed_dim", "8", "--batch_size", "32", "--out_dir", dir.path().string()};
}

void check_usage_error(const std::vector<std::string>& args, const std::string& expected_text) {
  TempDir dir("cli");
  auto full = args;
  full.push_back("--out_dir");
  full.push_back((dir / "out").string());
  const ProcessResult r = main_job(full);
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 2);
  CHECK(book::test::count_lines(r.err) == 1);
  CHECK(r.err.find(expected_text) != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "out"));  // nothing written before the flags are checked
}

}  // namespace

TEST_CASE("bad flags: one line naming the flag and the valid range, exit code 2, nothing written") {
  check_usage_error({"--model_type", "transformer"}, "rnn");
  check_usage_error({"--model_type", "transformer"}, "lstm");
  check_usage_error({"--model_type", "transformer"}, "gru");
  check_usage_error({"--val_split", "1.5"}, "(0, 1)");
  check_usage_error({"--val_split", "0"}, "--val_split");
  check_usage_error({"--val_split", "nan"}, "not finite");
  check_usage_error({"--lr", "inf"}, "--lr");
  check_usage_error({"--epochs", "0"}, "--epochs");
  check_usage_error({"--batch_size", "-3"}, "--batch_size");
  check_usage_error({"--data_size", "0"}, "--data_size");
  check_usage_error({"--hidden_dim", "0"}, "--hidden_dim");
  check_usage_error({"--embed_dim", "-1"}, "--embed_dim");
  check_usage_error({"--epochs", "ten"}, "--epochs");
  check_usage_error({"--epochs"}, "--epochs");
  check_usage_error({"--no_such_flag"}, "no_such_flag");
  check_usage_error({"--data_size", "4"}, "empty training or validation split");
  check_usage_error({"--hidden_dim", "8192", "--num_layers", "16"}, "the limit is");
}

TEST_CASE("--help lists the original's flags and says what the thread default is") {
  const ProcessResult r = main_job({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--seed", "--epochs", "--batch_size", "--hidden_dim", "--embed_dim", "--lr", "--data_size",
                           "--val_split", "--num_workers", "--max_grad_norm", "--model_type", "--num_layers",
                           "--bidirectional", "--dropout", "--threads", "--out_dir", "--predict", "--checkpoint"}) {
    CAPTURE(flag);
    CHECK(r.out.find(flag) != std::string::npos);
  }
  CHECK(r.out.find("Threads:") != std::string::npos);
}

TEST_CASE("runtime errors: missing or corrupt checkpoint and an unwritable out_dir give exit code 1") {
  TempDir dir("cli");
  book::write_text(dir / "junk.pth", "not a checkpoint");
  book::write_text(dir / "a_file", "x");
  for (const auto& [args, text] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--predict", "--checkpoint", (dir / "none.pth").string(), "petrov"}, "does not exist"},
           {{"--predict", "--checkpoint", (dir / "junk.pth").string(), "petrov"}, "corrupt"},
           {{"--out_dir", (dir / "a_file" / "out").string(), "--epochs", "1", "--data_size", "50"}, "cannot create"}}) {
    const ProcessResult r = main_job(args);
    CAPTURE(r.err);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 1);
    CHECK(book::test::count_lines(r.err) == 1);
    CHECK(r.err.find(text) != std::string::npos);
  }
}

TEST_CASE("a run writes the original's artefacts, then predict mode reads its checkpoint") {
  TempDir dir("run");
  const ProcessResult r = main_job(small(dir, "lstm"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("Vocab Size: 28 | Classes: 5") != std::string::npos);
  CHECK(r.out.find("Total parameters:") != std::string::npos);
  // The original's epoch line, then the gradient norm before clipping (mean and largest).
  CHECK(std::regex_search(r.out, std::regex(R"(- INFO - Epoch 1/1 \| Train Loss: \d+\.\d{4} Acc: \d+\.\d{2}% )"
                                            R"(\| Val Loss: \d+\.\d{4} Acc: \d+\.\d{2}% )"
                                            R"(\| Grad norm: mean \d+\.\d{3} max \d+\.\d{3}\n)")));
  CHECK(r.out.find("Input: papadopoulos    | Prediction: ") != std::string::npos);
  for (const char* file : {"data/vocab.txt", "data/synthetic_names.txt", "checkpoints/lstm_model.pth",
                           "results/lstm_metrics.json", "results/lstm_inference_samples.json", "facts.json"}) {
    CAPTURE(file);
    CHECK(book::fs::exists(dir / file));
  }
  const auto metrics = book::read_json(dir / "results/lstm_metrics.json");
  CHECK(metrics.at("val_acc").size() == 1);
  CHECK(book::read_json(dir / "results/lstm_inference_samples.json").size() == 6);
  CHECK(book::test::list_files(dir.path()).size() == 6);  // no temporary files left behind
  // The numbers recorded for the book's pages are the ones the log printed.
  const auto facts = book::read_json(dir / "facts.json");
  CHECK(r.out.find("Grad norm: mean " + facts.at("epoch1.grad_norm_mean").get<std::string>() + " max " +
                   facts.at("epoch1.grad_norm_max").get<std::string>()) != std::string::npos);

  const std::string checkpoint = (dir / "checkpoints/lstm_model.pth").string();
  // Names on the command line, UTF-8 included; an empty name is an error for that name only.
  const ProcessResult p = main_job({"--predict", "--checkpoint", checkpoint, "petrov", "王小明", "", "Müller"});
  CAPTURE(p.err);
  CHECK(p.exit_code == 1);
  CHECK(p.signal == 0);
  CHECK(book::test::count_lines(p.out) == 3);
  CHECK(p.out.find("王小明") != std::string::npos);
  CHECK(p.err.find("name 3: empty name") != std::string::npos);
  // One name per line on stdin, invalid UTF-8 included.
  const ProcessResult s = main_job({"--predict", "--checkpoint", checkpoint}, "yamamoto\nbad\xFF\xFEname\n");
  CHECK(s.exit_code == 0);
  CHECK(book::test::count_lines(s.out) == 2);
  // The checkpoint says what it holds: asking for another cell type is an error.
  const ProcessResult g = main_job({"--predict", "--model_type", "gru", "--checkpoint", checkpoint, "petrov"});
  CHECK(g.exit_code == 1);
  CHECK(g.err.find("holds a lstm model, not gru") != std::string::npos);
}

TEST_CASE("the same seed and thread count give identical metrics JSON") {
  TempDir a("det"), b("det"), c("det");
  auto args_a = small(a);
  auto args_b = small(b);
  auto args_c = small(c);
  args_c.insert(args_c.end(), {"--seed", "43"});
  REQUIRE(main_job(args_a).exit_code == 0);
  REQUIRE(main_job(args_b).exit_code == 0);
  REQUIRE(main_job(args_c).exit_code == 0);
  const std::string ma = book::read_file(a / "results/gru_metrics.json");
  CHECK(ma == book::read_file(b / "results/gru_metrics.json"));
  CHECK(ma != book::read_file(c / "results/gru_metrics.json"));
}

TEST_CASE("out_dir paths with spaces and non-ASCII characters work") {
  TempDir dir("paths");
  const auto out = dir / "my runs" / "Müller 王";
  auto args = small(dir);
  args.back() = out.string();  // small() ends with --out_dir <dir>
  const ProcessResult r = main_job(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(book::fs::exists(out / "results/gru_metrics.json"));
  CHECK(r.out.find(out.string()) != std::string::npos);  // it says where it wrote
}

TEST_CASE("the first log line names the BLAS the matrix products really run on") {
  TempDir dir("blas");
  const ProcessResult normal = main_job(small(dir));
  REQUIRE(normal.exit_code == 0);
  CHECK(normal.out.find("| OpenBLAS") != std::string::npos);
  // Debian's reference BLAS (package libblas3), which the loader picks first with this path.
  const std::string reference = "/usr/lib/x86_64-linux-gnu/blas";
  if (!book::fs::exists(reference + "/libblas.so.3")) {
    MESSAGE("skipped the reference-BLAS half: " << reference << "/libblas.so.3 is not installed");
    return;
  }
  auto args = small(dir);
  args.insert(args.begin(), book::test::program("ch06_main"));
  const ProcessResult slow = book::test::run_process(args, "", {{"LD_LIBRARY_PATH", reference}});
  CAPTURE(slow.out);
  REQUIRE(slow.exit_code == 0);
  CHECK(slow.out.find("| reference BLAS") != std::string::npos);
  CHECK(slow.out.find("| OpenBLAS") == std::string::npos);
}
