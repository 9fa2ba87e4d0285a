#pragma once
/// \file
/// Between the exercises' Eigen types and LibTorch tensors (float64), for the checks' references.
#include "exercises/exercises.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ex::check {

/// LibTorch's layout: row-major (Eigen's default is column-major).
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A 2-D float64 tensor holding `m`.
inline torch::Tensor tensor_of(const Mat& m) {
  RowMajor r = m;
  return torch::from_blob(r.data(), {r.rows(), r.cols()}, torch::kDouble).clone();
}
/// A 1-D float64 tensor holding `v`.
inline torch::Tensor tensor_of(const Vec& v) { return tensor_of(Mat(v)).view({-1}); }
/// A 2-D tensor as an Eigen matrix.
inline Mat mat_of(const torch::Tensor& t) {
  const torch::Tensor d = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  return Eigen::Map<const RowMajor>(d.data_ptr<double>(), d.size(0), d.size(1));
}
/// Any tensor's entries, in order, as an Eigen vector.
inline Vec vec_of(const torch::Tensor& t) {
  const torch::Tensor d = t.detach().to(torch::kCPU, torch::kDouble).contiguous().reshape({-1});
  return Eigen::Map<const Vec>(d.data_ptr<double>(), d.numel());
}
/// The parameter `name` of `module` as an Eigen matrix (2-D) or vector (1-D).
inline torch::Tensor param(const torch::nn::Module& module, const std::string& name) {
  return module.named_parameters()[name].detach();
}
/// A random vector of `n` entries drawn from N(0, scale^2) by torch's generator.
inline Vec random_vec(std::int64_t n, double scale = 1.0) {
  return vec_of(torch::randn({n}, torch::kDouble) * scale);
}

}  // namespace ex::check
