#pragma once
/// \file
/// The precompiled header shared by every LibTorch target of the book. It holds only the heavy,
/// stable third-party headers; nothing of the book itself, so editing a book header never
/// rebuilds it. CLI11 is not here on purpose: see book/cli.h.
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
