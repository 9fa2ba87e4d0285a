#pragma once
/// \file
/// Program 10's model and training: an encoder–decoder for grapheme-to-phoneme conversion. A
/// bidirectional LSTM reads the letters; an LSTMCell, driven one step at a time, writes the
/// phonemes. Teacher forcing, scheduled sampling, greedy decoding, the masked loss and the error
/// rates live here, so that the program and its tests run the same code.
#include "book/rng.h"
#include "lib/g2p_data.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ch06 {

/// How a G2PModel runs its recurrent layers. Both compute the same function with the same weights
/// (a test checks losses and gradients agree in float64), so a checkpoint works with either.
enum class G2PPath {
  /// LibTorch's modules: torch::nn::LSTM over the packed letters, torch::nn::LSTMCell one step at a
  /// time for the phonemes.
  kModules,
  /// The chapter's fused recurrent path (lib/fused_rnn.h): the encoder's two directions as one
  /// autograd function with a hand-written backward; the teacher-forced decoder as one call over
  /// the whole sequence (every step's input projection in one GEMM); each step of a decoder that
  /// feeds back its own guesses as one fused cell step. For training only: without gradients
  /// (evaluation, greedy decoding) and on another device than the CPU the model runs its modules.
  kFused,
};

/// "modules" or "fused" → the path. Throws std::invalid_argument naming both.
G2PPath parse_g2p_path(const std::string& name);

/// The sizes of a G2PModel.
struct G2PConfig {
  std::int64_t embed_dim = 64;    ///< letter and phoneme embedding width
  std::int64_t hidden_dim = 256;  ///< H: the decoder's state
  std::int64_t encoder_dim = 0;   ///< \f$H_e\f$: the encoder's state per direction (0 = H)
  double dropout = 0.0;           ///< on the embeddings and before the output layer
};

/// \f$H_e\f$ of `config`: its encoder_dim, or its hidden_dim when that is 0.
std::int64_t encoder_width(const G2PConfig& config);

/// The parameter count of the model `config` describes: letter embedding 27·E; encoder LSTM
/// 2 directions × 4·(He·E + He·He + 2He); bridge 2 × (2He·H + H); phoneme embedding 42·E; decoder
/// LSTMCell 4·(H·E + H·H + 2H); output layer H·42 + 42.
std::int64_t g2p_parameter_count(const G2PConfig& config);

/// The decoder's recurrent state (h, c), each [B, H].
struct DecoderState {
  torch::Tensor h;  ///< hidden state
  torch::Tensor c;  ///< cell state
};

/// A padded batch of (word, pronunciation) pairs.
struct G2PBatch {
  torch::Tensor letters;  ///< letter ids [B, S], right-padded with kLetterPad
  torch::Tensor lengths;  ///< letters per word [B], int64 on the CPU
  torch::Tensor targets;  ///< phoneme ids followed by `<eos>` [B, T], right-padded with kPhonemePad
  std::vector<std::vector<std::int64_t>> references;  ///< each word's phonemes, without `<eos>`
};

/// The collator: the entries at `rows` as one batch, in the given order.
G2PBatch collate_g2p(const std::vector<Pronunciation>& data, const std::vector<std::size_t>& rows);

/// Encoder: letter embedding → bidirectional LSTM over packed input → the two final states
/// [h_fwd; h_bwd] and [c_fwd; c_bwd] → a linear bridge (tanh for h) to the decoder's first state.
/// Decoder: phoneme embedding → LSTMCell → Linear → logits over the 42 phoneme ids, one step per
/// call, so the caller decides what the next input is.
class G2PModelImpl : public torch::nn::Module {
 public:
  /// Builds the layers.
  explicit G2PModelImpl(const G2PConfig& config);
  /// Reads padded letter ids [B, S] with lengths [B] (int64, CPU); returns the decoder's first state.
  DecoderState encode(const torch::Tensor& letters, const torch::Tensor& lengths);
  /// One decoder step: the previous phoneme ids [B] and the state in, logits [B, 42] out; `state`
  /// is advanced in place.
  torch::Tensor decode_step(const torch::Tensor& previous, DecoderState& state);
  /// The decoder over inputs known in advance (teacher forcing): previous phoneme ids [B, T] (column
  /// t is the input of step t) from the encoder's state; logits [B, T, 42]. The same as T calls of
  /// decode_step, which is what the modules path does; the fused path runs it as one sequence.
  torch::Tensor decode_sequence(const torch::Tensor& previous, const DecoderState& state);
  /// Chooses the path the recurrent layers run on (default kFused).
  void set_path(G2PPath path) { path_ = path; }
  /// The path the recurrent layers run on now: the chosen one while gradients are recorded on the
  /// CPU, else kModules.
  G2PPath path() const;
  /// The sizes the model was built with.
  const G2PConfig& config() const { return config_; }
  /// Prints the layers as `G2PModel(...)`.
  void pretty_print(std::ostream& stream) const override;

 private:
  G2PConfig config_;
  torch::nn::Embedding letter_embedding_{nullptr};
  torch::nn::LSTM encoder_{nullptr};
  torch::nn::Linear bridge_h_{nullptr};
  torch::nn::Linear bridge_c_{nullptr};
  torch::nn::Embedding phoneme_embedding_{nullptr};
  torch::nn::LSTMCell decoder_{nullptr};
  torch::nn::Linear output_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  G2PPath path_ = G2PPath::kFused;
};
TORCH_MODULE(G2PModel);

/// The decoder's best guess for each row of `logits` [B, 42], among `<eos>` and the phonemes
/// (never `<pad>` or `<sos>`).
torch::Tensor greedy_token(const torch::Tensor& logits);

/// Runs the decoder over the batch's target length T and returns the logits [B, T, 42]. Before each
/// step after the first, each word independently takes the true previous phoneme with probability
/// `ratio` (teacher forcing) and the model's own greedy guess otherwise (scheduled sampling, the
/// guess detached from the graph). ratio 1 = pure teacher forcing, 0 = free running. The coin flips
/// use `coins`, or torch's global generator if it is not given (torch::manual_seed makes them
/// repeatable).
torch::Tensor decode_scheduled(G2PModel& model, const G2PBatch& batch, double ratio,
                               c10::optional<at::Generator> coins = c10::nullopt);

/// Masked cross-entropy: the mean of −log p(target) over the positions whose target is not
/// kPhonemePad. `logits` [B, T, V], `targets` [B, T]. Padding changes neither the value nor the
/// gradient.
torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

/// Greedy decoding of a batch: feed each guess back, stop a word at `<eos>` or after
/// max_decode_steps(its letters). Returns the phoneme ids of each word (without `<eos>`).
/// If `free_logits` is given, it receives the logits of the first T steps [B, T, 42] (T = the
/// batch's target length), for the free-running loss.
std::vector<std::vector<std::int64_t>> greedy_decode(G2PModel& model, const G2PBatch& batch,
                                                     torch::Tensor* free_logits = nullptr);

/// What one evaluation pass measured.
struct G2PEval {
  double tf_loss = 0;    ///< masked loss per phoneme, decoder fed the true previous phonemes
  double free_loss = 0;  ///< the same targets, decoder fed its own greedy guesses
  double per = 0;        ///< phoneme error rate of greedy decoding, percent
  double wer = 0;        ///< word error rate of greedy decoding, percent
  std::int64_t words = 0;  ///< words evaluated
  double seconds = 0;    ///< wall time
};

/// Evaluates `model` on `data` in batches of `batch_size` (eval mode, no gradients). The words are
/// batched in order of length, so that a batch's greedy decoding stops soon after its words end.
G2PEval evaluate_g2p(G2PModel& model, const std::vector<Pronunciation>& data, std::int64_t batch_size);

/// The batches of one training pass: shuffled with `rng`, then sorted by length within pools of 16
/// batches (so a batch's words have similar lengths and little padding), then the batches shuffled.
std::vector<G2PBatch> make_g2p_batches(const std::vector<Pronunciation>& data, std::int64_t batch_size,
                                       book::Rng& rng);

/// How fit_g2p trains.
struct G2PFitOptions {
  int epochs = 10;                        ///< full passes over the training words
  std::int64_t batch_size = 64;           ///< words per batch
  double lr = 2e-3;                       ///< Adam's learning rate
  bool cosine_lr = false;                 ///< decay it to 0 along half a cosine over epochs × batches
  double max_grad_norm = 1.0;             ///< clip threshold (0 = no clipping)
  TfSchedule schedule = TfSchedule::kAlways;  ///< how the teacher-forcing ratio moves
  double tf_end = 0.1;                    ///< where the decaying schedules end, in (0, 0.5)
  bool progress = true;                   ///< a progress bar per epoch on a terminal
  double time_limit = 0;                  ///< seconds of training and validation (0 = no limit)
  std::int64_t eval_batch_size = 256;     ///< words per batch when evaluating
  int batch_parts = 1;  ///< > 1: g2p_sharded_train_step with this many parts (BLAS on 1 thread)
};

/// One epoch's record.
struct G2PEpoch {
  int epoch = 0;              ///< from 1
  double tf_ratio = 0;        ///< mean teacher-forcing ratio over the epoch's steps
  double train_loss = 0;      ///< masked loss per phoneme under that epoch's ratio
  double train_seconds = 0;   ///< wall time of the training pass
  double total_seconds = 0;   ///< training and validation time since the first epoch began
  G2PEval val;                ///< the validation pass after it
};

/// One optimiser step on `batch`: the decoder under teacher-forcing ratio `ratio`, the masked loss,
/// backward, clipping to `max_grad_norm` (0 = none), the step. Returns the loss; if it is not finite,
/// returns it without stepping.
double g2p_train_step(G2PModel& model, torch::optim::Optimizer& optimizer, const G2PBatch& batch,
                      double ratio, double max_grad_norm, c10::optional<at::Generator> coins = c10::nullopt);

/// Rows [begin, end) of `batch` as a batch of their own, its padding trimmed to their longest word
/// and longest pronunciation.
G2PBatch slice_g2p_batch(const G2PBatch& batch, std::int64_t begin, std::int64_t end);

/// g2p_train_step with the batch cut into `coins.size()` parts of consecutive rows (fewer if the
/// batch has fewer rows), each decoded and differentiated on a thread of its own with its own coin
/// generator. Each part's loss is weighted by its share of the batch's phonemes, so the summed
/// gradients, the clipping and the step are those of the whole batch up to rounding (a test checks
/// it in float64). Call with BLAS on 1 thread: the parts are what runs in parallel.
double g2p_sharded_train_step(G2PModel& model, torch::optim::Optimizer& optimizer,
                              const G2PBatch& batch, double ratio, double max_grad_norm,
                              const std::vector<at::Generator>& coins);

/// Called after each epoch.
using G2PEpochCallback = std::function<void(const G2PEpoch&)>;

/// Trains with Adam, masked cross-entropy and clipping. Step i of N (N = epochs × batches per
/// epoch) uses the ratio teacher_forcing_ratio(schedule, i / N, tf_end); the coin flips come from a
/// generator of their own seeded from `rng`, so that two runs can train at the same time on two
/// threads and each stay repeatable. After each epoch the model
/// is evaluated on `val`. With a time limit, training stops early, after the last epoch that leaves
/// time for one more as long as the longest so far (the schedule still spans `epochs`, so a decaying
/// ratio has not reached its end). Throws std::runtime_error if the loss stops being finite.
std::vector<G2PEpoch> fit_g2p(G2PModel& model, const std::vector<Pronunciation>& train,
                              const std::vector<Pronunciation>& val, const G2PFitOptions& options, book::Rng& rng,
                              const G2PEpochCallback& on_epoch = nullptr);

/// What a checkpoint stores besides the weights.
nlohmann::json g2p_meta(const G2PConfig& config, TfSchedule schedule);

/// Loads a checkpoint written by program 10 (eval mode). Throws std::runtime_error with a one-line
/// reason if it is missing, corrupt or not a G2P model.
G2PModel load_g2p(const std::filesystem::path& path);

/// The answer for one input word.
struct WordPrediction {
  std::string input;     ///< as given
  std::string word;      ///< as read (lower case), empty on error
  std::string phonemes;  ///< "AA R D V AA R K", empty on error
  std::string error;     ///< why there is no answer, else empty
};

/// Pronounces `words` (greedy decoding, one batch). Words that check_word refuses get an error;
/// the others an answer.
std::vector<WordPrediction> predict_words(G2PModel& model, const std::vector<std::string>& words);

}  // namespace ch06
