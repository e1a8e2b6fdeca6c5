// Where the forward pass runs, and the names a command line or a session file uses for it.
#pragma once

#include <string_view>

namespace avss {

enum class Device { Auto, Cpu, Cuda };  // Auto = CUDA when libtorch has it and a GPU is present

const char* deviceName(Device d);          // "auto", "cpu", "cuda"
Device parseDevice(std::string_view name);  // the inverse; UsageError (about Setting::Device) otherwise

}  // namespace avss
