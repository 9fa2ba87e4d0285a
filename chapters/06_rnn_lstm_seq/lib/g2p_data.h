#pragma once
/// \file
/// Program 10's data and metrics, torch-free: the CMU Pronouncing Dictionary as (word, phonemes)
/// pairs, the letter and phoneme vocabularies, a deterministic train/validation/test split, the
/// edit distance behind the phoneme and word error rates, and the teacher-forcing schedules.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ch06 {

// ---- Vocabularies ---------------------------------------------------------------------------------

/// Letter ids: `<pad>` = 0, then 'a' = 1 ... 'z' = 26.
inline constexpr std::int64_t kLetterPad = 0;
/// Number of letter ids, `<pad>` included.
inline constexpr std::int64_t kLetterVocabSize = 27;

/// Phoneme ids: `<pad>` = 0 (never predicted, masked out of the loss).
inline constexpr std::int64_t kPhonemePad = 0;
/// `<sos>`: the decoder's first input (never predicted).
inline constexpr std::int64_t kPhonemeSos = 1;
/// `<eos>`: the decoder says it is done.
inline constexpr std::int64_t kPhonemeEos = 2;
/// The first real phoneme's id: the 39 ARPAbet phonemes are ids 3 ... 41.
inline constexpr std::int64_t kFirstPhoneme = 3;
/// Number of phoneme ids, the three special tokens included.
inline constexpr std::int64_t kPhonemeVocabSize = 42;

/// The 39 ARPAbet phonemes of the dictionary without stress digits, in id order (AA = id 3).
const std::vector<std::string>& arpabet_phonemes();

/// The id of an ARPAbet phoneme ("AA" → 3), or -1 if it is not one.
std::int64_t phoneme_id(std::string_view phoneme);

/// The token of a phoneme id: "<pad>", "<sos>", "<eos>" or the phoneme. Throws std::out_of_range.
const std::string& phoneme_token(std::int64_t id);

/// Phoneme ids → "AA R D V AA R K" (special tokens are skipped).
std::string phonemes_to_string(const std::vector<std::int64_t>& ids);

/// Letter ids of a word of lower-case letters a-z ("ab" → {1, 2}). Throws std::invalid_argument
/// on any other character.
std::vector<std::int64_t> encode_letters(std::string_view word);

/// The longest word (in letters) the program accepts for prediction.
inline constexpr std::size_t kMaxWordLetters = 40;

/// A word as typed by a reader, checked for prediction.
struct CheckedWord {
  std::string word;   ///< lower-cased, surrounding white space removed (empty on error)
  std::string error;  ///< why it cannot be read ("empty word", ...), empty if it is fine
};

/// Trims white space, lower-cases A-Z, and accepts only 1 to kMaxWordLetters letters a-z.
CheckedWord check_word(std::string_view raw);

/// The most phonemes greedy decoding writes for a word of `letters` letters before it stops
/// waiting for `<eos>`: 2·letters + 8. The longest pronunciation relative to its spelling in the dictionary is
/// "w" → D AH B AH L Y UW (1 letter, 7 phonemes), so this never cuts off a real answer.
std::int64_t max_decode_steps(std::int64_t letters);

// ---- The dictionary -------------------------------------------------------------------------------

/// One dictionary entry.
struct Pronunciation {
  std::string word;                     ///< lower-case letters a-z
  std::vector<std::int64_t> phonemes;   ///< phoneme ids (kFirstPhoneme ...), without `<eos>`
};

/// The shipped file, relative to the data folder (book::find_data_file).
inline constexpr const char* kCmudictFile = "cmudict/cmudict-g2p.tsv.gz";

/// Parses `word<TAB>PH1 PH2 ...` lines. Blank lines are skipped; a `\r` before the newline is
/// ignored. Throws std::runtime_error `"<source>:<line>: <problem>"` for a line without a tab,
/// a word that is not lower-case letters, no phonemes, an unknown phoneme or a repeated word, and
/// for text with no entry at all.
std::vector<Pronunciation> parse_pronunciations(std::string_view text, const std::string& source);

/// Reads a whole file through zlib: gzip-compressed or plain text alike. Throws
/// std::runtime_error naming the file if it cannot be opened or is a damaged gzip stream.
std::string read_maybe_gzipped(const std::filesystem::path& path);

/// read_maybe_gzipped + parse_pronunciations.
std::vector<Pronunciation> load_pronunciations(const std::filesystem::path& path);

/// `path` as a log line shows it: under the shipped data folder, relative to the source tree
/// (`assets/data/cmudict/cmudict-g2p.tsv.gz`), so that a run's output names no machine's folders;
/// elsewhere (--data_dir, $BOOK_DATA_DIR) as it is.
std::string shown_data_file(const std::filesystem::path& path);

// ---- The split --------------------------------------------------------------------------------------

/// The 64-bit FNV-1a hash of `text` (the same on every machine).
std::uint64_t fnv1a64(std::string_view text);

/// Where a word belongs.
enum class SplitPart { kTrain, kValidation, kTest };

/// fnv1a64(word) mod 100: 0-89 training, 90-94 validation, 95-99 test. It depends on the word
/// alone, so neither the seed, nor the file's order, nor a subset changes it.
SplitPart split_part(std::string_view word);

/// The three parts, each sorted by (hash, word): a fixed order that mixes the alphabet, so the
/// first n entries of a part are a fair sample of it.
struct G2PSplit {
  std::vector<Pronunciation> train;       ///< about 90 %
  std::vector<Pronunciation> validation;  ///< about 5 %
  std::vector<Pronunciation> test;        ///< about 5 %
};

/// Splits `entries` by split_part.
G2PSplit split_pronunciations(const std::vector<Pronunciation>& entries);

/// The first `n` entries of `part` (all of them if `n` is 0 or larger than the part).
std::vector<Pronunciation> take_first(const std::vector<Pronunciation>& part, std::size_t n);

// ---- Error rates --------------------------------------------------------------------------------------

/// Levenshtein distance: the fewest insertions, deletions and substitutions that turn `a` into `b`.
std::size_t edit_distance(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);

/// Accumulates the phoneme error rate (edit distance over reference phonemes) and the word error
/// rate (share of words whose predicted pronunciation is not exactly the reference).
class ErrorRates {
 public:
  /// Adds one word: its predicted and its reference phoneme ids (without `<eos>`).
  void add(const std::vector<std::int64_t>& predicted, const std::vector<std::int64_t>& reference);
  /// Phoneme errors / reference phonemes, in percent (0 if nothing was added).
  double per() const;
  /// Wrong words / words, in percent (0 if nothing was added).
  double wer() const;
  /// Words added.
  std::int64_t words() const { return words_; }

 private:
  std::int64_t words_ = 0;
  std::int64_t wrong_words_ = 0;
  std::int64_t phonemes_ = 0;
  std::int64_t phoneme_errors_ = 0;
};

/// A baseline that learns nothing: each test word is pronounced as the training word spelled most
/// like it (the fewest letter insertions, deletions and substitutions; on a tie, the first in
/// `train`'s order), in the spirit of "pronunciation by analogy". Returns its error rates on `test`.
ErrorRates nearest_word_baseline(const std::vector<Pronunciation>& train,
                                 const std::vector<Pronunciation>& test);

// ---- Teacher-forcing schedules -------------------------------------------------------------------

/// How the teacher-forcing ratio (the probability that the decoder's next input is the true
/// previous phoneme rather than its own guess) changes over training.
enum class TfSchedule { kAlways, kLinear, kInverseSigmoid, kExponential, kNever };

/// The flag spellings, in the order of the enum: always, linear, inverse_sigmoid, exponential, never.
const std::vector<std::string>& tf_schedule_names();

/// A flag spelling → the schedule. Throws std::invalid_argument naming the choices.
TfSchedule parse_tf_schedule(const std::string& name);

/// The schedule's flag spelling.
const std::string& tf_schedule_name(TfSchedule schedule);

/// The ratio at `progress` = step / total steps, in [0, 1], for a schedule that decays towards
/// `end` (in (0, 1)):
/// - always: 1; never: 0;
/// - linear: 1 − (1 − end)·progress;
/// - exponential: end^progress (= k^i with k = end^(1/total steps), Bengio et al. 2015);
/// - inverse_sigmoid: k / (k + exp(2·ln k·progress)) with k = (1 − end)/end, Bengio et al.'s
///   inverse sigmoid k / (k + exp(i/k')) rescaled to the run: 1 − end at the start, 1/2 halfway,
///   end at the end.
double teacher_forcing_ratio(TfSchedule schedule, double progress, double end);

}  // namespace ch06
