// Observation points built into the forward pass. An observer is passed per call (no global hooks),
// is asked first whether it wants a site (a "no" costs one virtual call and no copy), and receives
// the live tensor, valid only during the call. Layers are original block numbers, 0-based.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace avss::model {

enum class Point : std::uint8_t {
    BlockIn,   // residual stream entering the block          [B, T, H]
    AttnOut,   // attention output projection, before the add [B, T, H]
    MlpAct,    // act(gate(x)) * up(x), input of down_proj    [B, T, F]
    BlockOut,  // residual stream leaving the block (before any final norm) [B, T, H]
};
constexpr int kPointCount = 4;
const char* pointName(Point p);  // "block_in", "attn_out", "mlp_act", "block_out"

struct Site {
    int layer = 0;
    Point point = Point::BlockOut;
};

// Lifetime: every tensor is valid during observe() only, except that the BlockIn tensor is never
// modified while its block runs, so an observer may keep a handle to it until that layer's BlockOut.
// Copy anything else you keep (AttnOut, for one, becomes the residual sum in place).
class ActivationObserver {
public:
    virtual ~ActivationObserver() = default;
    virtual bool wants(Site site) const = 0;
    // x: float tensor on the model's device; mask: [B, T] bool on the same device, true = real token.
    virtual void observe(Site site, const at::Tensor& x, const at::Tensor& mask) = 0;
};

}  // namespace avss::model
