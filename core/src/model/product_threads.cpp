// See product_threads.h.
#include "model/product_threads.h"

#include <dlfcn.h>

#include "blas/openblas_runtime.h"

namespace avss::model {

ProductThreads::ProductThreads(bool active) {
    if (!active) return;
    static const auto get = reinterpret_cast<int (*)()>(::dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    static const auto set = reinterpret_cast<void (*)(int)>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    static const int wanted = blas::productThreadBudget();
    if (get == nullptr || set == nullptr) return;
    m_set = set;
    m_before = get();
    if (m_before < wanted) set(wanted);
}

ProductThreads::~ProductThreads() {
    if (m_set != nullptr) m_set(m_before);
}

}  // namespace avss::model
