#pragma once
/// \file
/// The main job's checkpoints and prediction: what a checkpoint stores besides the weights, how a
/// trained classifier is restored from one, and how it classifies names.
#include "lib/name_classifier.h"
#include "lib/names.h"
#include "lib/recurrent_types.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ch06 {

/// What a checkpoint stores besides the weights: the architecture, the classes and the vocabulary.
nlohmann::json classifier_meta(const ClassifierConfig& config, const CharVocab& vocab);

/// A model restored from a checkpoint, with its vocabulary.
struct LoadedClassifier {
  DynamicRNNClassifier model{nullptr};  ///< in eval mode
  CharVocab vocab;                      ///< the training vocabulary
};

/// Loads a checkpoint written by the main job. Throws std::runtime_error with a one-line reason if
/// the file is missing, corrupt, not a name classifier, or holds another `expected` cell type.
LoadedClassifier load_classifier(const std::filesystem::path& path, const CellType* expected = nullptr);

/// The answer for one input name.
struct Prediction {
  std::string input;        ///< the name as given
  std::int64_t index = -1;  ///< the predicted class, -1 on error
  std::string label;        ///< its name
  double probability = 0;   ///< softmax probability of that class
  std::string error;        ///< why there is no answer (empty name, too long), else empty
};

/// The longest name predict mode accepts, in characters.
inline constexpr std::size_t kMaxNameChars = 256;

/// Classifies `names` in one batch. Empty or over-long names get an error, the others an answer.
std::vector<Prediction> predict_names(DynamicRNNClassifier& model, const CharVocab& vocab,
                                      const std::vector<std::string>& names);

}  // namespace ch06
