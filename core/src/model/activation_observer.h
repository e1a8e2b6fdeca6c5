// Observation points built into the forward pass. An observer is passed per call (no global hooks),
// is asked first whether it wants a site (a "no" costs one virtual call and no copy), and receives
// the live tensor, valid only during the call. Layers are original block numbers, 0-based.
#pragma once

#include <ATen/core/Tensor.h>

#include "avss/activation_stats.h"

namespace avss::model {

// The points are avss::StatPoint (all kObservedPointCount of them), offered per block in the order
// BlockIn [B, T, H], AttnOut [B, T, H], MlpAct [B, T, F], BlockOut [B, T, H].
struct Site {
    int layer = 0;
    StatPoint point = StatPoint::BlockOut;
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
