// The KV cache of incremental decoding: per-layer keys and values in storage with room to grow,
// which positions are real, and each row's next position. Used by forward() (transformer.h).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <array>
#include <cstdint>
#include <vector>

namespace avss::model {

// Per-layer keys/values of everything seen so far. Create with `KvCache{}` and pass the same object
// to successive forward() calls; rows keep their own positions (left padding is handled).
struct KvCache {
    std::vector<at::Tensor> keys, values;  // per layer [B, kvHeads, capacity, D] storage; undefined for skipped layers
    at::Tensor keyMask;                     // [B, length] bool: real (non-pad) cached positions
    at::Tensor nextPosition;                // [B] int64: position id of each row's next real token
    std::int64_t length = 0;                // positions cached
    std::int64_t reserve = 0;               // positions to allocate room for at once (e.g. prompt + new tokens)
    bool empty() const { return !keyMask.defined(); }
    // Writes fresh [B, kvHeads, T, D] after the cached positions of a layer, growing its storage
    // (doubling) when needed, and returns the filled [B, kvHeads, length + T, D] view.
    at::Tensor append(at::Tensor& storage, const at::Tensor& fresh) const;
    // Makes a layer's storage [B, H, capacity, D] hold at least `positions`, keeping what is cached.
    void makeRoom(at::Tensor& storage, const std::array<std::int64_t, 3>& bhd, const at::TensorOptions& options,
                  std::int64_t positions) const;
    // Keeps only these batch rows (int64 indices, in order): drops finished sequences of a batch.
    void keepRows(const at::Tensor& rows);
    // Caches of separately prefilled groups of rows as one left-padded cache `width` positions long
    // (each part's positions right-aligned), with room for `reserve` positions; `layers` entries.
    static KvCache concatRows(const std::vector<KvCache>& parts, std::int64_t width, std::int64_t reserve, int layers);
};

}  // namespace avss::model
