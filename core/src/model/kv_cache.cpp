// KV-cache storage: growth by doubling, in-place appends, dropping and joining batch rows.
#include "model/kv_cache.h"

#include <torch/torch.h>

#include <algorithm>

namespace avss::model {

// Layer storage is [B, Hk, capacity, D]; the first `length` positions are filled. Growth doubles the
// capacity, so a generation of n tokens copies the cache O(log n) times instead of every step.
void KvCache::makeRoom(at::Tensor& storage, const std::array<std::int64_t, 3>& bhd, const at::TensorOptions& options,
                       std::int64_t positions) const {
    if (storage.defined() && storage.size(2) >= positions) return;
    const auto capacity = std::max({positions, reserve, storage.defined() ? 2 * storage.size(2) : std::int64_t{0}});
    auto grown = torch::empty({bhd[0], bhd[1], capacity, bhd[2]}, options);
    if (length > 0) grown.narrow(2, 0, length).copy_(storage.narrow(2, 0, length));
    storage = grown;
}

at::Tensor KvCache::append(at::Tensor& storage, const at::Tensor& fresh) const {
    const auto T = fresh.size(2);
    makeRoom(storage, {fresh.size(0), fresh.size(1), fresh.size(3)}, fresh.options(), length + T);
    storage.narrow(2, length, T).copy_(fresh);
    return storage.narrow(2, 0, length + T);
}

void KvCache::keepRows(const at::Tensor& rows) {
    for (auto* list : {&keys, &values}) {
        for (auto& t : *list) {
            if (!t.defined()) continue;
            // into storage that keeps its room, so the next step does not grow (and copy) it again
            auto kept = torch::empty({rows.size(0), t.size(1), t.size(2), t.size(3)}, t.options());
            kept.narrow(2, 0, length).copy_(t.narrow(2, 0, length).index_select(0, rows));
            t = kept;
        }
    }
    if (!empty()) {
        keyMask = keyMask.index_select(0, rows);
        nextPosition = nextPosition.index_select(0, rows);
    }
}

// One KV cache for all rows from caches of consecutive row groups: each group's positions are
// right-aligned to `width` (left padding, masked; zero keys and values so the padding stays finite),
// as if the rows had been prefilled together. Storage has room for `reserve` positions.
KvCache KvCache::concatRows(const std::vector<KvCache>& parts, std::int64_t width, std::int64_t reserve, int layers) {
    std::int64_t B = 0;
    for (const auto& p : parts) B += p.keyMask.size(0);
    KvCache out;
    out.reserve = reserve;
    out.length = width;
    out.keys.assign(static_cast<std::size_t>(layers), at::Tensor{});
    out.values.assign(static_cast<std::size_t>(layers), at::Tensor{});
    out.keyMask = torch::zeros({B, width}, torch::TensorOptions().dtype(torch::kBool).device(parts.front().keyMask.device()));
    std::vector<at::Tensor> next;
    for (const auto member : {&KvCache::keys, &KvCache::values}) {
        for (std::size_t l = 0; l < static_cast<std::size_t>(layers); ++l) {
            const auto& first = (parts.front().*member)[l];
            if (!first.defined()) continue;  // a skipped layer
            auto merged = torch::zeros({B, first.size(1), reserve, first.size(3)}, first.options());
            std::int64_t row = 0;
            for (const auto& p : parts) {
                const auto b = p.keyMask.size(0);
                merged.narrow(0, row, b).narrow(2, width - p.length, p.length).copy_((p.*member)[l].narrow(2, 0, p.length));
                row += b;
            }
            (out.*member)[l] = merged;
        }
    }
    std::int64_t row = 0;
    for (const auto& p : parts) {
        const auto b = p.keyMask.size(0);
        out.keyMask.narrow(0, row, b).narrow(1, width - p.length, p.length).copy_(p.keyMask);
        next.push_back(p.nextPosition);
        row += b;
    }
    out.nextPosition = torch::cat(next);
    return out;
}

}  // namespace avss::model
