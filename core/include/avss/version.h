// Versions of the core and of the libraries it was built against (for --version and About).
#pragma once

#include <string>

namespace avss {

struct VersionInfo {
    std::string avss;     // this project
    std::string torch;    // libtorch, e.g. "1.13.0"
    std::string hdf5;     // HDF5 library at run time
    std::string pcre2;    // PCRE2 library at run time
    bool cudaAvailable = false;  // libtorch built with CUDA and a device present
};

VersionInfo versionInfo();

}  // namespace avss
