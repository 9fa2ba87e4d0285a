// Everything the checker says, in English and in Chinese (the exercises' own texts are in
// registry.cpp). Chinese: the book's terms (docs/terms.tsv), Chinese punctuation, one space
// between Chinese and Latin letters or digits; formulas, code and names stay as they are.
#include "exercises/checker/messages.h"

#include <stdexcept>

namespace ex::check {

namespace {

Lang current = Lang::kEn;

}  // namespace

std::optional<Lang> language_named(const std::string& name) {
  if (name == "en") return Lang::kEn;
  if (name == "zh") return Lang::kZh;
  return std::nullopt;
}

Lang language() {
  return current;
}

void set_language(Lang lang) {
  current = lang;
}

const std::string& in_language(const Text& text) {
  return current == Lang::kZh ? text.zh : text.en;
}

const std::vector<Message>& messages() {
  static const std::vector<Message> table = {
      // ---- the command line
      {Msg::kCliDescription,
       {"Checks the chapter's exercises (chapters/06_rnn_lstm_seq/exercises/*.cpp) against their\n"
        "references. Without an exercise: a table of all of them. Exit code: 0 done, 1 failing,\n"
        "77 not started (CTest counts it as skipped), 2 a bad command line.",
        "对照参考实现检查本章的练习（chapters/06_rnn_lstm_seq/exercises/*.cpp）。\n"
        "不指定练习时，列出全部练习的表格。退出码：0 全部完成，1 有练习未通过，\n"
        "77 有练习未开始（CTest 记为跳过），2 命令行有误。"}},
      {Msg::kOptExercise,
       {"the exercise to check in detail (default: all)", "要详细检查的练习（默认检查全部）"}},
      {Msg::kOptHint, {"show the exercise's hint", "显示该练习的提示"}},
      {Msg::kOptTimeout, {"seconds one exercise's check may take", "检查一个练习最多允许的秒数"}},
      {Msg::kOptNoFork,
       {"run the checks in this process (for a debugger)", "在本进程内运行检查（便于使用调试器）"}},
      {Msg::kOptExpectMistake,
       {"with an exercise: succeed only if it fails with this known mistake (the book's own test "
        "of its wrong versions)",
        "与练习名一起使用：只有当它以这个已知错误失败时才算成功（本书用它测试自己的错误版本）"}},
      {Msg::kOptExpect,
       {"without an exercise: succeed only if all are in this state",
        "不指定练习时使用：只有全部练习都处于这个状态时才算成功"}},
      {Msg::kOptLang,
       {"the language of the report, en or zh (default: the environment variable BOOK_LANG, "
        "else en)",
        "报告的语言，en 或 zh（默认取环境变量 BOOK_LANG，未设置时为 en）"}},
      {Msg::kErrExpectMistakeNeedsExercise,
       {"--expect-mistake needs an exercise", "--expect-mistake 需要指定一个练习"}},
      {Msg::kErrExpectWithoutExercise,
       {"--expect goes without an exercise", "--expect 不能与练习名一起使用"}},
      {Msg::kErrBookLang,
       {"the environment variable BOOK_LANG is '{}': it must be en or zh (or unset)",
        "环境变量 BOOK_LANG 的值是“{}”：只能是 en 或 zh（或者不设置）"}},

      // ---- the table and the detail of one exercise
      {Msg::kColExercise, {"exercise", "练习"}},
      {Msg::kColPage, {"page", "页面"}},
      {Msg::kColStatus, {"status", "状态"}},
      {Msg::kStatusDone, {"done ({} cases)", "完成（{} 个用例）"}},
      {Msg::kStatusNotStarted, {"not started", "未开始"}},
      {Msg::kStatusFailingCases,
       {"failing (passed {0} of {1} cases)", "未通过（{1} 个用例中通过了 {0} 个）"}},
      {Msg::kStatusFailing, {"failing", "未通过"}},
      {Msg::kSummary,
       {"{0} of {1} done, {2} failing, {3} not started",
        "共 {1} 个练习：{0} 个完成，{2} 个未通过，{3} 个未开始"}},
      {Msg::kNext,
       {"Next: bash scripts/exercises.sh {} (in detail; add --hint for a hint)",
        "下一步：bash scripts/exercises.sh {} --lang zh（查看详情；加上 --hint 可看提示）"}},
      {Msg::kExpectedAll, {"expected every exercise to be {}", "预期每个练习的状态都是 {}"}},
      {Msg::kExpectMistakeResult,
       {"{}: expected to fail with the mistake [{}]", "{}：预期以错误 [{}] 失败"}},
      {Msg::kDetailTitle, {"Exercise {} (page {})", "练习 {}（页面 {}）"}},
      {Msg::kDetailFile,
       {"  your file:   chapters/06_rnn_lstm_seq/exercises/{}.cpp",
        "  你的文件：chapters/06_rnn_lstm_seq/exercises/{}.cpp"}},
      {Msg::kDetailReference, {"checked against {}", "参照：{}"}},
      {Msg::kDetailStatus, {"  status:      {}", "  状态：{}"}},
      {Msg::kCallsUnwritten,
       {"  (it calls {}(), which is not written yet)", "  （它调用了还没有写好的 {}()）"}},
      {Msg::kReplaceBody,
       {"  Replace the body of {}() in your file; it still calls not_started().",
        "  请替换你文件中 {}() 的函数体：它仍在调用 not_started()。"}},
      {Msg::kFirstFailure, {"first failure, {}", "首个失败：{}"}},
      {Msg::kLooksLikeId, {"looks like: {0} [{1}]", "诊断 [{1}]：{0}"}},
      {Msg::kLooksLike, {"looks like: {}", "诊断：{}"}},
      {Msg::kHintTitle, {"Hint:", "提示："}},
      {Msg::kAddHint,
       {"(add --hint for a hint; the reference solution is in "
        "exercises/solutions/{}_solution.cpp)",
        "（加上 --hint 可看提示；参考答案在 exercises/solutions/{}_solution.cpp）"}},

      // ---- a check that did not end normally
      {Msg::kTimeout,
       {"the check took longer than {} s: an endless loop?",
        "检查用时超过 {} 秒：是不是有死循环？"}},
      {Msg::kCrashed, {"your code crashed: {}", "你的代码崩溃了：{}"}},
      {Msg::kSegv,
       {"a segmentation fault (an index out of range or a dangling reference?)",
        "段错误（下标越界，还是悬空引用？）"}},
      {Msg::kAbort,
       {"an abort (a failed assertion, e.g. a std::vector index out of range; see the message "
        "above)",
        "abort（断言失败，例如 std::vector 下标越界；见上方的消息）"}},
      {Msg::kFpe,
       {"an arithmetic exception (an integer division by zero?)", "算术异常（整数除以零？）"}},
      {Msg::kSignal, {"signal {} ({})", "信号 {}（{}）"}},
      {Msg::kNoResult, {"the check ended without a result", "检查结束了，却没有给出结果"}},
      {Msg::kThrew, {"your code threw: {}", "你的代码抛出了异常：{}"}},
      {Msg::kEigenRefused,
       {"your code: Eigen refused an operation: {} (sizes that do not match, or an index out of "
        "range)",
        "你的代码：Eigen 拒绝执行一个操作：{}（尺寸不匹配，或下标越界）"}},
      {Msg::kEigenDiagnosis,
       {"check each product's shapes against the contract in exercises.h (W_ih is [rows, in]: "
        "W_ih * x needs x of size in)",
        "对照 exercises.h 中的约定检查每个乘积的形状（W_ih 是 [rows, in]：W_ih * x 要求 x 的长度"
        "为 in）"}},

      // ---- comparisons: what differs, and where
      {Msg::kCaseOf, {"case {} of {}: {}", "第 {} 个用例（共 {} 个），{}"}},
      {Msg::kDiffers,
       {"{}: expected {}, got {} (difference {:.1e}, tolerance {:.0e})",
        "{}：应为 {}，实为 {}（相差 {:.1e}，容差 {:.0e}）"}},
      {Msg::kAtEntry, {"{0}, {1} {2}", "{0}（第 {2} {1}）"}},
      {Msg::kAtCell, {"{0}, {1} {2}, {3} {4}", "{0}（第 {2} {1}，第 {4} {3}）"}},
      {Msg::kShape, {"{} has shape {}, expected {}", "{}：形状为 {}，应为 {}"}},
      {Msg::kTransposed, {" (transposed?)", "（是否转置了？）"}},
      {Msg::kEntries, {"{} has {} entries, expected {}", "{}：有 {} 个元素，应为 {} 个"}},
      {Msg::kVectors,
       {"{0} holds {1} vectors, expected {2} ({0}_{3} .. {0}_{4})",
        "{0}：有 {1} 个向量，应为 {2} 个（{0}_{3} .. {0}_{4}）"}},
      {Msg::kIntEntries,
       {"{} has {} entries, expected {}: got [{}], expected [{}]",
        "{}：有 {} 个元素，应为 {} 个（实为 [{}]，应为 [{}]）"}},
      {Msg::kIntDiffers,
       {"{}[{}]: expected {}, got {} (got [{}], expected [{}])",
        "{}（第 {} 项）：应为 {}，实为 {}（整体实为 [{}]，应为 [{}]）"}},
      {Msg::kAgainstFiniteDifferences,
       {" (against central finite differences)", "（对照中心有限差分）"}},
      {Msg::kWordRow, {"row", "行"}},
      {Msg::kWordColumn, {"column", "列"}},
      {Msg::kWordUnit, {"unit", "个分量"}},
      {Msg::kWordElement, {"element", "个元素"}},
      {Msg::kWordSequence, {"sequence", "条序列"}},
      {Msg::kWordText, {"text", "个文本"}},
      {Msg::kWordDimension, {"dimension", "维"}},
      {Msg::kWordResult, {"result", "结果"}},
      {Msg::kWordMean, {"the mean", "均值"}},
      {Msg::kWordLoss, {"the loss", "损失"}},
      {Msg::kWordReturnedNorm, {"the returned norm", "返回的范数"}},
      {Msg::kWordSortedLengths, {"the lengths in your sorted order", "按你的顺序排列的长度"}},

      // ---- the cases of the checks, in words
      {Msg::kCaseSizes,
       {"input {}, hidden {} (seed {})", "输入维度 {}，隐状态维度 {}（随机种子 {}）"}},
      {Msg::kCaseSizesSteps,
       {"input {}, hidden {}, {} (seed {})", "输入维度 {}，隐状态维度 {}，{}（随机种子 {}）"}},
      {Msg::kOneStep, {"1 step", "1 个时间步"}},
      {Msg::kSteps, {"{} steps", "{} 个时间步"}},
      {Msg::kCaseLengthsHidden, {"lengths [{}], hidden {}", "长度 [{}]，隐状态维度 {}"}},
      {Msg::kOneLayer, {", 1 layer", "，1 层"}},
      {Msg::kLayers, {", {} layers", "，{} 层"}},
      {Msg::kSeed, {" (seed {})", "（随机种子 {}）"}},
      {Msg::kCaseLengths, {"lengths [{}]", "长度 [{}]"}},
      {Msg::kNotPermutation,
       {"sorted_indices [{}] is not a permutation of 0..{}",
        "sorted_indices [{}] 不是 0..{} 的一个排列"}},
      {Msg::kUnsortedNotInverse,
       {"unsorted_indices[{}] = {}, but sorted_indices[{}] = {}: "
        "unsorted_indices[sorted_indices[k]] must be k",
        "unsorted_indices[{}] = {}，但 sorted_indices[{}] = {}：必须满足 "
        "unsorted_indices[sorted_indices[k]] = k"}},
      {Msg::kCaseMean,
       {"lengths [{}], padded to {}, {} dimensions (seed {})",
        "长度 [{}]，填充到 {}，{} 维（随机种子 {}）"}},
      {Msg::kCaseClip,
       {"{}: shapes {}, max_norm {} (seed {})", "{}：形状 {}，max_norm 为 {}（随机种子 {}）"}},
      {Msg::kClipClipped, {"clipped, the tensors' norms differ", "需要裁剪，各张量的范数不同"}},
      {Msg::kClipSmall, {"already small: unchanged", "本来就小，保持不变"}},
      {Msg::kClipZero, {"a zero gradient", "全零梯度"}},
      {Msg::kClipOne, {"one 1x1 tensor", "只有一个 1x1 张量"}},
      {Msg::kClipRandom, {"random", "随机"}},
      {Msg::kGradsCount,
       {"grads holds {} matrices after clipping, expected {}",
        "裁剪后 grads 有 {} 个矩阵，应为 {} 个"}},
      {Msg::kCaseCe,
       {"real lengths [{}] of {} steps, {} classes, ignore_index {}{} (seed {})",
        "真实长度 [{}]（共 {} 个时间步），{} 个类别，ignore_index 为 {}{}（随机种子 {}）"}},
      {Msg::kScoresNear1000, {", scores near 1000", "，分数接近 1000"}},
      {Msg::kDistanceDiffers, {"the distance: expected {}, got {}", "距离：应为 {}，实为 {}"}},
  };
  return table;
}

const std::string& text(Msg id) {
  // The table in the order of Msg, checked once: a message without its row is a bug of the
  // checker (the test "every message ... in English and Chinese" finds it first).
  static const std::vector<const Message*> by_id = [] {
    std::vector<const Message*> index(static_cast<std::size_t>(Msg::kCount), nullptr);
    for (const Message& m : messages()) index.at(static_cast<std::size_t>(m.id)) = &m;
    return index;
  }();
  const Message* m = by_id.at(static_cast<std::size_t>(id));
  if (m == nullptr)
    throw std::logic_error(fmt::format("message {} has no text", static_cast<int>(id)));
  return in_language(m->text);
}

std::string format_with(const std::string& pattern, const std::vector<std::string>& args) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    if (pattern.compare(k, 2, "{}") == 0 && next < args.size()) {
      out += args[next++];
      ++k;
    } else {
      out += pattern[k];
    }
  }
  if (next != args.size())
    throw std::logic_error("a diagnosis names fewer values than it is given");
  return out;
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t k = 0; k < text.size();) {
    const auto byte = static_cast<unsigned char>(text[k]);
    const std::size_t length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? byte : byte & (0x3F >> (length - 1));
    for (std::size_t j = 1; j < length && k + j < text.size(); ++j) {
      code = (code << 6) | (static_cast<unsigned char>(text[k + j]) & 0x3F);
    }
    const bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                      (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                      (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                      (code >= 0xFFE0 && code <= 0xFFE6);
    width += wide ? 2 : 1;
    k += length;
  }
  return width;
}

}  // namespace ex::check
