// See product_threads.h.
#include "model/product_threads.h"

#include <dlfcn.h>

#include <algorithm>
#include <thread>

namespace avss::model {

ProductThreads::ProductThreads(bool active) {
    if (!active) return;
    static const auto get = reinterpret_cast<int (*)()>(::dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    static const auto set = reinterpret_cast<void (*)(int)>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    static const int wanted = [] {
        const auto blasThreads = reinterpret_cast<int (*)()>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
        const int n = blasThreads != nullptr ? blasThreads() : static_cast<int>(std::thread::hardware_concurrency());
        return std::max(1, n);
    }();
    if (get == nullptr || set == nullptr) return;
    m_set = set;
    m_before = get();
    if (m_before < wanted) set(wanted);
}

ProductThreads::~ProductThreads() {
    if (m_set != nullptr) m_set(m_before);
}

}  // namespace avss::model
