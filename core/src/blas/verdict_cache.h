// The per-machine verdict of the kernel self-check, one small text file per machine under the
// per-user cache dir, so the check runs once and a rejected candidate is never tried again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "blas/kernel_choice.h"

namespace avss::blas {

// What identifies "this machine" for a verdict: CPU brand, feature-word hash and the OpenBLAS build
// (its config string without the core name, which changes with OPENBLAS_CORETYPE).
std::string machineKey(const CpuFeatures& cpu, const std::string& openblasConfig, const std::string& coreName);

// <cacheDir>/blas-kernels/<first 16 hex digits of sha256(key)>.txt
std::filesystem::path verdictPath(const std::filesystem::path& cacheDir, const std::string& key);

// nullopt when there is no file, or it is damaged, foreign or for another machine key: never throws.
std::optional<KernelVerdict> loadVerdict(const std::filesystem::path& file, const std::string& key);

// Written atomically (temporary + rename); throws IoError naming the file.
void saveVerdict(const std::filesystem::path& file, const std::string& key, const KernelVerdict& verdict);

}  // namespace avss::blas
