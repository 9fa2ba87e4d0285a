#pragma once
/// \file
/// Small synthetic sequence tasks for programs 01 and 04, generated with the book's portable random
/// engine so that a seed gives the same data everywhere. Torch-free.
#include "book/rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ch06 {

/// Token sequences with one class label each. Every sequence has the same length.
struct TokenDataset {
  std::vector<std::vector<std::int64_t>> ids;  ///< one sequence of token ids per sample
  std::vector<std::int64_t> labels;            ///< one class per sample
  std::int64_t vocab_size = 0;                 ///< ids are in [0, vocab_size)
  std::int64_t num_classes = 0;                ///< labels are in [0, num_classes)
};

/// The order task: the tokens `A` (id 0) and `B` (id 1) each appear exactly once, at two distinct
/// random positions of a sequence of `length`; every other position holds one of `fillers` filler
/// tokens (ids 2, 3, ...). The label is 1 if A comes before B, else 0. The two classes contain the
/// same multiset of tokens in distribution, so only the order tells them apart.
TokenDataset make_order_task(std::int64_t samples, std::int64_t length, std::int64_t fillers, book::Rng& rng);

/// The order task's token names: "A", "B", then "c", "d", ... for the fillers.
std::vector<std::string> order_task_tokens(std::int64_t fillers);

/// The memory task: the first token is one of `signals` signal tokens (ids 0 .. signals-1) and is
/// the label; `gap` distractor tokens follow, each uniform over `distractors` ids after the
/// signals. To answer at the end, a model must carry the first token over `gap` steps.
TokenDataset make_memory_task(std::int64_t samples, std::int64_t gap, std::int64_t signals, std::int64_t distractors,
                              book::Rng& rng);

/// Percent of the samples that `predicted` labels correctly.
double accuracy_percent(const std::vector<std::int64_t>& predicted, const std::vector<std::int64_t>& labels);

}  // namespace ch06
