// Library versions for --version and the About dialog.
#include "avss/version.h"

#include <H5public.h>
#include <torch/torch.h>
#include <torch/version.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "avss/build_info.h"

namespace avss {

VersionInfo versionInfo() {
    VersionInfo v;
    v.avss = AVSS_VERSION;
    v.torch = TORCH_VERSION;
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    v.hdf5 = std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
    char buf[64] = {};
    pcre2_config(PCRE2_CONFIG_VERSION, buf);
    v.pcre2 = buf;
    v.cudaAvailable = torch::cuda::is_available();
    return v;
}

}  // namespace avss
