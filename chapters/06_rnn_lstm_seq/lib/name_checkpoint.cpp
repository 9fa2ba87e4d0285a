#include "lib/name_checkpoint.h"

#include "lib/name_batches.h"

#include "book/torch_utils.h"

#include <stdexcept>
#include <utility>

namespace ch06 {

nlohmann::json classifier_meta(const ClassifierConfig& c, const CharVocab& vocab) {
  return {{"model", "DynamicRNNClassifier"},
          {"model_type", cell_type_name(c.cell)},
          {"vocab_size", c.vocab_size},
          {"embed_dim", c.embed_dim},
          {"hidden_dim", c.hidden_dim},
          {"num_layers", c.num_layers},
          {"num_classes", c.num_classes},
          {"bidirectional", c.bidirectional},
          {"dropout", c.dropout},
          {"classes", name_classes()},
          {"vocab", vocab.tokens()}};
}

LoadedClassifier load_classifier(const std::filesystem::path& path, const CellType* expected) {
  const nlohmann::json meta = book::load_checkpoint_meta(path);
  const std::string where = "checkpoint '" + path.string() + "'";
  ClassifierConfig config;
  LoadedClassifier loaded;
  try {
    if (meta.at("model").get<std::string>() != "DynamicRNNClassifier") {
      throw std::runtime_error(where + " holds a " + meta.at("model").get<std::string>() + ", not a name classifier");
    }
    config.cell = parse_cell_type(meta.at("model_type").get<std::string>());
    config.vocab_size = meta.at("vocab_size").get<std::int64_t>();
    config.embed_dim = meta.at("embed_dim").get<std::int64_t>();
    config.hidden_dim = meta.at("hidden_dim").get<std::int64_t>();
    config.num_layers = meta.at("num_layers").get<std::int64_t>();
    config.num_classes = meta.at("num_classes").get<std::int64_t>();
    config.bidirectional = meta.at("bidirectional").get<bool>();
    config.dropout = meta.at("dropout").get<double>();
    loaded.vocab = CharVocab::from_tokens(meta.at("vocab").get<std::vector<std::string>>());
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(where + " has incomplete metadata");
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  if (expected != nullptr && *expected != config.cell) {
    throw std::runtime_error(where + " holds a " + cell_type_name(config.cell) + " model, not " +
                             cell_type_name(*expected));
  }
  if (config.vocab_size != loaded.vocab.size() || config.num_classes != static_cast<std::int64_t>(name_classes().size())) {
    throw std::runtime_error(where + " has inconsistent metadata");
  }
  loaded.model = DynamicRNNClassifier(config);
  book::load_checkpoint_weights(*loaded.model, path);
  loaded.model->eval();
  return loaded;
}

std::vector<Prediction> predict_names(DynamicRNNClassifier& model, const CharVocab& vocab,
                                      const std::vector<std::string>& names) {
  std::vector<Prediction> out(names.size());
  EncodedNames batch;
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out[i].input = names[i];
    std::vector<std::int64_t> ids = vocab.encode(names[i]);
    if (ids.empty()) {
      out[i].error = "empty name";
    } else if (ids.size() > kMaxNameChars) {
      out[i].error = "name too long (" + std::to_string(ids.size()) + " characters; the limit is " +
                     std::to_string(kMaxNameChars) + ")";
    } else {
      rows.push_back(batch.ids.size());
      batch.ids.push_back(std::move(ids));
      batch.labels.push_back(0);
      out[i].index = static_cast<std::int64_t>(rows.size()) - 1;  // row in the batch, for now
    }
  }
  if (rows.empty()) return out;
  model->eval();
  torch::NoGradGuard no_grad;
  const book::Batch b = collate(batch, rows);
  const torch::Tensor probs = torch::softmax(model->forward(b.inputs, b.lengths), 1);
  const torch::Tensor best = probs.argmax(1);
  for (auto& p : out) {
    if (!p.error.empty()) continue;
    const std::int64_t row = p.index;
    p.index = best[row].item<std::int64_t>();
    p.probability = probs[row][p.index].item<double>();
    p.label = name_classes()[static_cast<std::size_t>(p.index)];
  }
  return out;
}

}  // namespace ch06
