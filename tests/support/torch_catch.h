// Include this instead of <catch2/catch.hpp> in tests that use libtorch: Debian's libtorch pulls in
// glog, whose CHECK macro would otherwise replace Catch's CHECK (and abort on failure).
#pragma once

#include <torch/torch.h>

#undef CHECK
#include <catch2/catch.hpp>
