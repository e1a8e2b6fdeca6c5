// Device names, shared by the CLI's --device and the explorer's session files.
#include "avss/device.h"

#include <string>

#include "avss/error.h"

namespace avss {

const char* deviceName(Device d) {
    switch (d) {
        case Device::Auto: return "auto";
        case Device::Cpu: return "cpu";
        case Device::Cuda: return "cuda";
    }
    return "auto";
}

Device parseDevice(std::string_view name) {
    for (const Device d : {Device::Auto, Device::Cpu, Device::Cuda}) {
        if (name == deviceName(d)) return d;
    }
    throw UsageError({}, "device must be auto, cpu or cuda, got '" + std::string(name) + "'", {}, {Setting::Device});
}

}  // namespace avss
