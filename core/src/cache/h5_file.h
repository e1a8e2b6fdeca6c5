// A small RAII layer over HDF5's C++ API so that the rest of the cache never sees HDF5 types.
// Every call takes the one process-wide HDF5 mutex (HDF5's C++ API is not thread-safe) and
// converts H5::Exception, which is not a std::exception, into FormatError (reading) or IoError
// (writing) naming the file and the object. HDF5's own error printing is switched off once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace avss::cache {

// Holds the process-wide HDF5 lock (recursive: nested helpers may lock again).
class H5Lock {
public:
    H5Lock();

private:
    std::unique_lock<std::recursive_mutex> m_lock;
};

using Dims = std::vector<std::size_t>;

class H5Writer {
public:
    explicit H5Writer(const std::filesystem::path& file);  // creates or truncates
    ~H5Writer();
    void group(const std::string& path);
    void attribute(const std::string& object, const std::string& name, const std::string& value);
    void attribute(const std::string& object, const std::string& name, std::int64_t value);
    void attribute(const std::string& object, const std::string& name, double value);
    // Chunked with a Fletcher-32 checksum (a damaged file fails to read instead of giving wrong numbers).
    void dataset(const std::string& path, const Dims& dims, const double* data);
    void dataset(const std::string& path, const Dims& dims, const std::int64_t* data);
    void close();  // flushes and closes; later calls are errors

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

class H5Reader {
public:
    explicit H5Reader(const std::filesystem::path& file);  // FormatError: not HDF5, truncated, damaged
    ~H5Reader();
    static bool isHdf5(const std::filesystem::path& file);  // false also for unreadable files

    bool has(const std::string& path) const;  // group or dataset, every prefix checked
    bool hasAttribute(const std::string& object, const std::string& name) const;
    std::string stringAttribute(const std::string& object, const std::string& name) const;
    std::int64_t intAttribute(const std::string& object, const std::string& name) const;
    double doubleAttribute(const std::string& object, const std::string& name) const;
    Dims dims(const std::string& path) const;
    // FormatError naming the dataset when its shape is not `expected`.
    std::vector<double> doubles(const std::string& path, const Dims& expected) const;
    std::vector<std::int64_t> ints(const std::string& path, const Dims& expected) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace avss::cache
