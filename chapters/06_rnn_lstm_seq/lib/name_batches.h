#pragma once
/// \file
/// The main job's data pipeline between the names and the model: every name encoded as ids once,
/// the collator that pads a batch, and the batches of one pass (random, or bucketed by length).
#include "book/rng.h"
#include "book/train.h"
#include "lib/names.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ch06 {

/// Names as id sequences, encoded once so that building a batch only copies ids.
struct EncodedNames {
  std::vector<std::vector<std::int64_t>> ids;  ///< one sequence per name
  std::vector<std::int64_t> labels;            ///< one label per name
};

/// Encodes `samples` with `vocab`.
EncodedNames encode_names(const std::vector<NameSample>& samples, const CharVocab& vocab);

/// The collator: the names at `indices` as one batch. Ids are right-padded with `<pad>` (0) to the
/// longest name of the batch, in the given order (not sorted); lengths are int64 on the CPU.
book::Batch collate(const EncodedNames& data, const std::vector<std::size_t>& indices);

/// How many batches a bucketing pool holds: the samples are sorted by length within each pool.
inline constexpr std::int64_t kBucketPoolBatches = 4;

/// How samples are grouped into batches.
enum class Batching {
  kRandom,    ///< as the original: shuffle, then cut into batches
  kBucketed,  ///< shuffle, then sort by length within pools of kBucketPoolBatches batches, cut, shuffle the batches
};

/// "random" or "bucket" → the batching. Throws std::invalid_argument naming both.
Batching parse_batching(const std::string& name);

/// The batches of one pass over `data`. With `rng` the order is shuffled (training); without it the
/// samples keep their order (validation) and `batching` is ignored.
std::vector<book::Batch> make_batches(const EncodedNames& data, std::int64_t batch_size, Batching batching,
                                      book::Rng* rng);

/// Sum of the sequence lengths: the real time steps in one pass over `data`.
std::int64_t total_tokens(const EncodedNames& data);

}  // namespace ch06
