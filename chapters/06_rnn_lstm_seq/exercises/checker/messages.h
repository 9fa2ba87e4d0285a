#pragma once
/// \file
/// Everything the checker says, in English and in Chinese: the language chosen for this run, and
/// one table of messages (messages.cpp), each written once per language. The exercises' own texts
/// (page, reference, hint, the diagnosis of each known mistake) are in registry.cpp. Torch-free.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

namespace ex::check {

/// The languages the checker speaks.
enum class Lang { kEn, kZh };

/// One text in both languages. A format string for fmt where it takes values.
struct Text {
  std::string en;  ///< English
  std::string zh;  ///< Chinese (中文)
};

/// "en" or "zh" as a language; nothing for anything else.
std::optional<Lang> language_named(const std::string& name);
/// The language of this run: English unless set_language() chose another.
Lang language();
/// Chooses the language of every message from now on (and in the checks' child processes).
void set_language(Lang lang);
/// The text in the language of this run.
const std::string& in_language(const Text& text);

/// The checker's messages. Each has one row in the table of messages.cpp.
// clang-format off
enum class Msg {
  // the command line
  kCliDescription, kOptExercise, kOptHint, kOptTimeout, kOptNoFork, kOptExpectMistake, kOptExpect,
  kOptLang, kErrExpectMistakeNeedsExercise, kErrExpectWithoutExercise, kErrBookLang,
  // the table and the detail of one exercise
  kColExercise, kColPage, kColStatus, kStatusDone, kStatusNotStarted, kStatusFailingCases,
  kStatusFailing, kSummary, kNext, kExpectedAll, kExpectMistakeResult, kDetailTitle, kDetailFile,
  kDetailReference, kDetailStatus, kCallsUnwritten, kReplaceBody, kFirstFailure, kLooksLikeId,
  kLooksLike, kHintTitle, kAddHint,
  // a check that did not end normally
  kTimeout, kCrashed, kSegv, kAbort, kFpe, kSignal, kNoResult, kThrew, kEigenRefused,
  kEigenDiagnosis,
  // comparisons: what differs, and where
  kCaseOf, kDiffers, kAtEntry, kAtCell, kShape, kTransposed, kEntries, kVectors, kIntEntries,
  kIntDiffers, kAgainstFiniteDifferences, kWordRow, kWordColumn, kWordUnit, kWordElement,
  kWordSequence, kWordText, kWordDimension, kWordResult, kWordMean, kWordLoss,
  kWordReturnedNorm, kWordSortedLengths,
  // the cases of the checks, in words
  kCaseSizes, kCaseSizesSteps, kOneStep, kSteps, kCaseLengthsHidden, kOneLayer, kLayers, kSeed,
  kCaseLengths, kNotPermutation, kUnsortedNotInverse, kCaseMean, kCaseClip, kClipClipped,
  kClipSmall, kClipZero, kClipOne, kClipRandom, kGradsCount, kCaseCe, kScoresNear1000,
  kDistanceDiffers,
  kCount  ///< the number of messages (not a message)
};
// clang-format on

/// One row of the table: a message and its two texts.
struct Message {
  Msg id;     ///< the message
  Text text;  ///< what it says
};

/// The table of every message, in the order of Msg.
const std::vector<Message>& messages();

/// The text of `id` in the language of this run.
const std::string& text(Msg id);

/// `id` in the language of this run, formatted with `args` (fmt).
template <class... Args>
std::string say(Msg id, const Args&... args) {
  return fmt::format(fmt::runtime(text(id)), args...);
}

/// `pattern` with each "{}" replaced by the next of `args` (a diagnosis and what it names). Other
/// braces stay as they are: a diagnosis writes h_{t-1} as it is.
std::string format_with(const std::string& pattern, const std::vector<std::string>& args);

/// The columns `text` (UTF-8) takes in a terminal: 2 for a Chinese character or punctuation mark.
std::size_t display_width(const std::string& text);

}  // namespace ex::check
