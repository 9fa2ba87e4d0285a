#include "lib/sentiment_real.h"

#include "book/files.h"
#include "book/plot.h"
#include "book/timer.h"
#include "book/torch_utils.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ch06 {

// [uci_data]
UciData load_uci_data(const std::string& sentences_file) {
  UciData d;
  d.file = sentences_file.empty() ? book::find_data_file(kUciSentencesFile)
                                  : std::filesystem::path(sentences_file);
  const std::int64_t per_class = sentences_file.empty() ? 500 : 0;  // the shipped file's counts
  d.sentences = load_uci_sentences(d.file, per_class);
  for (const auto& text : d.sentences.texts) d.words.push_back(tokenize(text));
  for (const auto& w : d.words) d.negated += is_negated(w) ? 1 : 0;
  return d;
}
// [uci_data]

Subsets uci_subsets(const RealSentences& data, const std::vector<std::vector<std::string>>& words) {
  Subsets subsets = {{"all", std::vector<bool>(data.size(), true)}};
  for (std::size_t s = 0; s < uci_sources().size(); ++s) {
    std::vector<bool> in(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) in[i] = data.sources[i] == static_cast<int>(s);
    subsets.emplace_back(uci_sources()[s], in);
  }
  std::vector<bool> negated(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) negated[i] = is_negated(words[i]);
  subsets.emplace_back("negated", negated);
  return subsets;
}

double afinn_reported(const std::string& subset) {
  if (subset == "amazon") return 72.6;
  if (subset == "imdb") return 76.5;
  if (subset == "yelp") return 69.6;
  return std::nan("");
}

// [uci_cv]
UciEvaluation evaluate_uci(const RealSentences& data,
                           const std::vector<std::vector<std::string>>& words,
                           const UciPlan& plan, const TextModelOptions& options,
                           const SeedReport& report) {
  book::Timer timer;
  UciEvaluation e;
  e.kinds = {TextModelKind::kBagOfWords, TextModelKind::kBigrams, TextModelKind::kLstm};
  e.subsets = uci_subsets(data, words);
  e.accuracy.assign(e.kinds.size(), std::vector<std::vector<double>>(e.subsets.size()));
  e.first_predictions.resize(e.kinds.size());
  for (int r = 0; r < plan.repeats; ++r) {
    const std::uint64_t seed = plan.seed + static_cast<std::uint64_t>(r);
    const std::vector<int> folds = assign_folds(data, plan.folds, seed);
    if (r == 0) e.first_folds = folds;
    std::string line = fmt::format("Seed {}: {} folds", seed, plan.folds);
    for (std::size_t m = 0; m < e.kinds.size(); ++m) {
      book::Rng rng(seed * 1000 + m);
      torch::manual_seed(seed * 1000 + m);
      CrossValidation cv =
          cross_validate(e.kinds[m], data, words, folds, plan.folds, options, seed, rng);
      for (std::size_t s = 0; s < e.subsets.size(); ++s) {
        e.accuracy[m][s].push_back(
            subset_accuracy(cv.predictions, data.labels, e.subsets[s].second).accuracy);
      }
      const auto [lo, hi] = std::minmax_element(cv.best_epochs.begin(), cv.best_epochs.end());
      line += fmt::format(" | {} {:.1f} % (epochs {}-{}, validation {:.1f} %, {:.1f} s)",
                          text_model_name(e.kinds[m]), e.accuracy[m][0].back(), *lo, *hi,
                          mean_sd(cv.val_accuracy).mean, cv.seconds);
      if (r > 0) continue;
      e.first_predictions[m] = cv.predictions;
      if (e.kinds[m] == TextModelKind::kLstm) e.lstm = std::move(cv.fold0);
      if (e.kinds[m] == TextModelKind::kBagOfWords) e.bow = std::move(cv.fold0);
    }
    if (report) report(line);
  }
  e.seconds = timer.seconds();
  return e;
}
// [uci_cv]

namespace {

std::size_t model_index(const UciEvaluation& e, TextModelKind kind) {
  return static_cast<std::size_t>(std::find(e.kinds.begin(), e.kinds.end(), kind) -
                                  e.kinds.begin());
}

std::string cut(const std::string& text, std::size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

}  // namespace

// [uci_table]
UciTables uci_tables(const UciEvaluation& e, book::Facts* facts) {
  UciTables t{book::Table({"subset", "sentences", "bag_of_words", "bigrams", "lstm",
                           "lstm_minus_bow", "afinn_reported"}),
              book::Table({"subset", "sentences", "bow", "bow_sd", "bigrams", "bigrams_sd", "lstm",
                           "lstm_sd", "afinn_reported"}, 4)};
  const std::size_t bow_m = model_index(e, TextModelKind::kBagOfWords);
  const std::size_t bigram_m = model_index(e, TextModelKind::kBigrams);
  const std::size_t lstm_m = model_index(e, TextModelKind::kLstm);
  const bool repeated = e.accuracy[0][0].size() > 1;
  for (std::size_t s = 0; s < e.subsets.size(); ++s) {
    const auto& [name, include] = e.subsets[s];
    const auto count = static_cast<std::int64_t>(std::count(include.begin(), include.end(), true));
    // The cell "mean" (one seed) or "mean +- sd" (several), each part recorded as printed.
    const auto show = [&](const std::string& model, const Spread& spread) {
      const std::string mean = fmt::format("{:.1f}", spread.mean);
      const std::string sd = fmt::format("{:.1f}", spread.sd);
      if (facts) facts->put(name + "." + model, mean);
      if (facts && repeated) facts->put(name + "." + model + "_sd", sd);
      return repeated ? mean + " +- " + sd : mean;
    };
    const Spread bow = mean_sd(e.accuracy[bow_m][s]);
    const Spread bigrams = mean_sd(e.accuracy[bigram_m][s]);
    const Spread lstm = mean_sd(e.accuracy[lstm_m][s]);
    std::vector<double> gaps;  // per seed, on the same folds
    for (std::size_t r = 0; r < e.accuracy[lstm_m][s].size(); ++r) {
      gaps.push_back(e.accuracy[lstm_m][s][r] - e.accuracy[bow_m][s][r]);
    }
    const double afinn = afinn_reported(name);
    if (facts) facts->put(name + ".sentences", std::to_string(count));
    t.text.add_row({name, count, show("bow", bow), show("bigrams", bigrams), show("lstm", lstm),
                    show("gap", mean_sd(gaps)),
                    std::isnan(afinn) ? std::string("-") : fmt::format("{:.1f}", afinn)});
    t.csv.add_row({name, count, bow.mean, bow.sd, bigrams.mean, bigrams.sd, lstm.mean, lstm.sd,
                   afinn});
  }
  return t;
}
// [uci_table]

std::string uci_accuracy_report(const UciEvaluation& e, const UciTables& tables,
                                book::Facts* facts) {
  const std::size_t seeds = e.accuracy[0][0].size();
  const std::string spread =
      seeds > 1 ? fmt::format("mean +- standard deviation over {} seeds (the folds and the initial "
                              "weights change with the seed)", seeds)
                : std::string("one seed (--repeats 3 gives the spread over seeds)");
  // One run's accuracy p on n sentences has a standard error of sqrt(p (1 - p) / n).
  const auto se = [&](const std::string& key, std::int64_t n) {
    const std::string text =
        fmt::format("{:.1f}", 100 * std::sqrt(0.25 * 0.75 / static_cast<double>(n)));
    return facts ? facts->put(key, text) : text;
  };
  const auto count = [&](std::size_t s) {
    const auto& include = e.subsets[s].second;
    return static_cast<std::int64_t>(std::count(include.begin(), include.end(), true));
  };
  const std::int64_t all = count(0), source = count(1), negated = count(e.subsets.size() - 1);
  return fmt::format(
      "\nCross-validated accuracy (%): every sentence predicted once by a model that did not train "
      "on it;\n{}.\nafinn_reported = the AFINN word list's accuracy as the `sentiment` package's "
      "README reports it on\nthe same files (no training; not run here). lstm_minus_bow in "
      "points.\n{}One run's accuracy near 75 % has a standard error of about {} points on {} "
      "sentences, {} on {}, {} on {}.\n",
      spread, tables.text.to_text(), se("se_all", all), book::with_thousands(all),
      se("se_source", source), book::with_thousands(source), se("se_negated", negated), negated);
}

Disagreements disagreements(const UciEvaluation& e, const RealSentences& data) {
  const auto& lstm = e.first_predictions[model_index(e, TextModelKind::kLstm)];
  const auto& bow = e.first_predictions[model_index(e, TextModelKind::kBagOfWords)];
  Disagreements d;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const bool l = lstm[i] == data.labels[i];
    const bool b = bow[i] == data.labels[i];
    if (l && !b) d.lstm_only.push_back(i);
    if (b && !l) d.bow_only.push_back(i);
  }
  return d;
}

book::Table disagreement_examples(const Disagreements& d, const RealSentences& data,
                                  std::size_t per_side) {
  book::Table examples({"right", "source", "label", "sentence"});
  for (const auto* rows : {&d.lstm_only, &d.bow_only}) {
    std::vector<std::size_t> pick = *rows;
    std::sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) {
      return sentence_hash01(data.texts[a], 0, "show") < sentence_hash01(data.texts[b], 0, "show");
    });
    for (std::size_t j = 0; j < std::min(pick.size(), per_side); ++j) {
      const std::size_t i = pick[j];
      examples.add_row({rows == &d.lstm_only ? "lstm" : "bow",
                        uci_sources()[static_cast<std::size_t>(data.sources[i])],
                        sentiment_classes()[static_cast<std::size_t>(data.labels[i])],
                        cut(data.texts[i], 70)});
    }
  }
  return examples;
}

const std::vector<std::string>& uci_probes() {
  static const std::vector<std::string> probes = {
      "not bad at all",         "I would not recommend it",
      "I would recommend it",   "the food was not good",
      "never again",            "it is not the best but it works",
      "this phone is great",    "the plot was predictable and the acting was wooden"};
  return probes;
}

book::Table probe_table(UciEvaluation& e, const std::vector<std::string>& sentences) {
  std::vector<std::vector<std::string>> words;
  for (const auto& s : sentences) words.push_back(tokenize(s));
  const auto lstm = predict_text_model(e.lstm, words);
  const auto bow = predict_text_model(e.bow, words);
  book::Table table({"sentence", "bag_of_words", "lstm"});
  const auto& classes = sentiment_classes();
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    table.add_row({sentences[i], classes[static_cast<std::size_t>(bow[i])],
                   classes[static_cast<std::size_t>(lstm[i])]});
  }
  return table;
}

std::string uci_predictions_tsv(const UciEvaluation& e, const RealSentences& data) {
  const auto& p = e.first_predictions;
  const auto& negated = e.subsets.back().second;
  std::string out = "source\tlabel\tnegated\tfold\tbag_of_words\tbigrams\tlstm\tsentence\n";
  for (std::size_t i = 0; i < data.size(); ++i) {
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                       uci_sources()[static_cast<std::size_t>(data.sources[i])], data.labels[i],
                       negated[i] ? 1 : 0, e.first_folds[i],
                       p[model_index(e, TextModelKind::kBagOfWords)][i],
                       p[model_index(e, TextModelKind::kBigrams)][i],
                       p[model_index(e, TextModelKind::kLstm)][i], data.texts[i]);
  }
  return out;
}

std::optional<std::filesystem::path> plot_uci_accuracy(const std::filesystem::path& svg) {
  return book::plot_svg(
      "set title 'Cross-validated accuracy on the UCI sentences'\n"
      "set ylabel 'accuracy (%)'\nset yrange [50:100]\nset grid ytics\nset key below\n"
      "set datafile separator ','\nset datafile missing 'nan'\n"
      "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
      "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
      "plot 'uci_accuracy.csv' using 3:4:xtic(1) title 'bag of words' lc rgb '#999999', "
      "'' using 5:6 title 'bag of words + bigrams' lc rgb '#cccccc', "
      "'' using 7:8 title 'SentimentLSTM' lc rgb '#1f77b4', "
      "'' using 9:(0) title 'AFINN (reported)' lc rgb '#ff7f0e'\n",
      svg);
}

}  // namespace ch06
