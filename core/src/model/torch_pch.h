// Precompiled header for the few translation units that use libtorch.
#pragma once
#include <torch/torch.h>
