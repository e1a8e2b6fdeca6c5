// The only file that includes H5Cpp.h (see h5_file.h).
#include "cache/h5_file.h"

#include <H5Cpp.h>

#include <numeric>

#include "avss/error.h"
#include "cache/cache_seal.h"

namespace avss::cache {
namespace {

std::recursive_mutex& hdf5Mutex() {
    static std::recursive_mutex m;
    return m;
}

std::string describe(const H5::Exception& e) {
    std::string what = e.getDetailMsg();
    if (!e.getFuncName().empty()) what += " (in " + e.getFuncName() + ")";
    return what;
}

// Runs f under the lock; an HDF5 failure becomes Err(file, "<action>: <HDF5 detail>", hint).
template <class Err, class F>
auto guarded(const std::filesystem::path& file, const std::string& action, const std::string& hint, F&& f) {
    H5Lock lock;
    try {
        return f();
    } catch (const H5::Exception& e) {
        throw Err(file, action + " failed: " + describe(e), hint);
    }
}

const char* kReadHint = "The file is damaged, truncated or not an AVSS analysis cache; delete it to recompute.";

H5::StrType utf8String() {
    H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
}

std::size_t product(const Dims& d) { return std::accumulate(d.begin(), d.end(), std::size_t{1}, std::multiplies<>()); }

std::string dimsText(const Dims& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

}  // namespace

H5Lock::H5Lock() : m_lock(hdf5Mutex()) {
    static std::once_flag quiet;
    std::call_once(quiet, [] { H5::Exception::dontPrint(); });  // errors reach the user as our exceptions
}

struct H5Writer::Impl {
    std::filesystem::path path;
    std::unique_ptr<H5::H5File> file;
    H5::H5File& f() {
        if (!file) throw IoError(path, "HDF5 file used after close()");
        return *file;
    }
};

H5Writer::H5Writer(const std::filesystem::path& file) : m(std::make_unique<Impl>()) {
    m->path = file;
    guarded<IoError>(file, "creating the HDF5 file", "Check that the folder is writable.",
                     [&] {
                         H5::FileCreatPropList create;
                         create.setUserblock(kSealBytes);  // room for the checksum written by close()
                         m->file = std::make_unique<H5::H5File>(file.string(), H5F_ACC_TRUNC, create);
                     });
}

H5Writer::~H5Writer() {
    H5Lock lock;
    try {
        m->file.reset();
    } catch (const H5::Exception&) {
        // A destructor must not throw; close() reports errors on the normal path, and a
        // half-written temporary file is deleted by the caller.
    }
}

void H5Writer::group(const std::string& path) {
    guarded<IoError>(m->path, "creating group " + path, {}, [&] { m->f().createGroup(path); });
}

void H5Writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
    guarded<IoError>(m->path, "writing attribute " + object + "@" + name, {}, [&] {
        auto type = utf8String();
        auto a = m->f().openGroup(object).createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
        a.write(type, value);
    });
}

void H5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
    guarded<IoError>(m->path, "writing attribute " + object + "@" + name, {}, [&] {
        auto a = m->f().openGroup(object).createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
        a.write(H5::PredType::NATIVE_INT64, &value);
    });
}

void H5Writer::attribute(const std::string& object, const std::string& name, double value) {
    guarded<IoError>(m->path, "writing attribute " + object + "@" + name, {}, [&] {
        auto a = m->f().openGroup(object).createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR));
        a.write(H5::PredType::NATIVE_DOUBLE, &value);
    });
}

namespace {

void writeDataset(H5::H5File& f, const std::string& path, const Dims& dims, const H5::PredType& memType,
                  const H5::PredType& fileType, const void* data) {
    std::vector<hsize_t> hd(dims.begin(), dims.end());
    H5::DataSpace space(static_cast<int>(hd.size()), hd.data());
    H5::DSetCreatPropList plist;
    if (product(dims) > 0) {  // zero-sized datasets cannot be chunked
        plist.setChunk(static_cast<int>(hd.size()), hd.data());
        plist.setFletcher32();
    }
    auto ds = f.createDataSet(path, fileType, space, plist);
    if (product(dims) > 0) ds.write(data, memType);
}

}  // namespace

void H5Writer::dataset(const std::string& path, const Dims& dims, const double* data) {
    guarded<IoError>(m->path, "writing dataset " + path, {}, [&] {
        writeDataset(m->f(), path, dims, H5::PredType::NATIVE_DOUBLE, H5::PredType::IEEE_F64LE, data);
    });
}

void H5Writer::dataset(const std::string& path, const Dims& dims, const std::int64_t* data) {
    guarded<IoError>(m->path, "writing dataset " + path, {}, [&] {
        writeDataset(m->f(), path, dims, H5::PredType::NATIVE_INT64, H5::PredType::STD_I64LE, data);
    });
}

void H5Writer::close() {
    guarded<IoError>(m->path, "closing the HDF5 file", "The disk may be full.", [&] {
        m->f().flush(H5F_SCOPE_GLOBAL);
        m->f().close();
        m->file.reset();
    });
    sealFile(m->path);
}

struct H5Reader::Impl {
    std::filesystem::path path;
    std::uint64_t fileBytes = 0;  // every element we write is stored: no dataset may claim more
    std::unique_ptr<H5::H5File> file;
};

H5Reader::H5Reader(const std::filesystem::path& file) : m(std::make_unique<Impl>()) {
    m->path = file;
    std::error_code ec;
    m->fileBytes = std::filesystem::file_size(file, ec);
    if (ec) throw IoError(file, "cannot read the file size (" + ec.message() + ")");
    guarded<FormatError>(file, "opening the HDF5 file", kReadHint,
                         [&] { m->file = std::make_unique<H5::H5File>(file.string(), H5F_ACC_RDONLY); });
}

H5Reader::~H5Reader() {
    H5Lock lock;
    try {
        m->file.reset();
    } catch (const H5::Exception&) {
        // Read-only handle: nothing can be lost by a failed close, and destructors must not throw.
    }
}

bool H5Reader::isHdf5(const std::filesystem::path& file) {
    H5Lock lock;
    try {
        return H5::H5File::isHdf5(file.string());
    } catch (const H5::Exception&) {
        return false;  // unreadable counts as "not HDF5"; the caller reports why it cannot use the file
    }
}

bool H5Reader::has(const std::string& path) const {
    return guarded<FormatError>(m->path, "looking up " + path, kReadHint, [&] {
        std::string prefix;
        std::size_t pos = 1;
        while (pos <= path.size()) {
            const auto next = path.find('/', pos);
            prefix = path.substr(0, next);
            if (!m->file->nameExists(prefix)) return false;
            if (next == std::string::npos) break;
            pos = next + 1;
        }
        return true;
    });
}

bool H5Reader::hasAttribute(const std::string& object, const std::string& name) const {
    return guarded<FormatError>(m->path, "looking up attribute " + object + "@" + name, kReadHint,
                                [&] { return m->file->openGroup(object).attrExists(name); });
}

std::string H5Reader::stringAttribute(const std::string& object, const std::string& name) const {
    return guarded<FormatError>(m->path, "reading attribute " + object + "@" + name, kReadHint, [&] {
        const auto a = m->file->openGroup(object).openAttribute(name);
        if (a.getTypeClass() != H5T_STRING) throw FormatError(m->path, "attribute " + object + "@" + name + " is not a string", kReadHint);
        std::string value;
        a.read(a.getStrType(), value);
        return value;
    });
}

std::int64_t H5Reader::intAttribute(const std::string& object, const std::string& name) const {
    return guarded<FormatError>(m->path, "reading attribute " + object + "@" + name, kReadHint, [&] {
        const auto a = m->file->openGroup(object).openAttribute(name);
        if (a.getTypeClass() != H5T_INTEGER) throw FormatError(m->path, "attribute " + object + "@" + name + " is not an integer", kReadHint);
        std::int64_t v = 0;
        a.read(H5::PredType::NATIVE_INT64, &v);
        return v;
    });
}

double H5Reader::doubleAttribute(const std::string& object, const std::string& name) const {
    return guarded<FormatError>(m->path, "reading attribute " + object + "@" + name, kReadHint, [&] {
        const auto a = m->file->openGroup(object).openAttribute(name);
        if (a.getTypeClass() != H5T_FLOAT) throw FormatError(m->path, "attribute " + object + "@" + name + " is not a float", kReadHint);
        double v = 0;
        a.read(H5::PredType::NATIVE_DOUBLE, &v);
        return v;
    });
}

Dims H5Reader::dims(const std::string& path) const {
    return guarded<FormatError>(m->path, "reading the shape of " + path, kReadHint, [&] {
        const auto space = m->file->openDataSet(path).getSpace();
        std::vector<hsize_t> hd(static_cast<std::size_t>(space.getSimpleExtentNdims()));
        space.getSimpleExtentDims(hd.data());
        return Dims(hd.begin(), hd.end());
    });
}

namespace {

template <class T>
std::vector<T> readDataset(const H5::H5File& f, const std::filesystem::path& file, std::uint64_t fileBytes, const std::string& path,
                           const Dims& expected, H5T_class_t cls, const H5::PredType& memType) {
    const auto ds = f.openDataSet(path);
    if (ds.getTypeClass() != cls) {
        throw FormatError(file, "dataset " + path + " has the wrong element type", kReadHint);
    }
    const auto space = ds.getSpace();
    std::vector<hsize_t> hd(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(hd.data());
    const Dims got(hd.begin(), hd.end());
    if (got != expected) {
        throw FormatError(file, "dataset " + path + " has shape " + dimsText(got) + ", expected " + dimsText(expected), kReadHint);
    }
    // Our writer stores every element uncompressed, so a genuine dataset fits in the file; a damaged
    // or hostile shape would otherwise make the allocation below huge.
    std::uint64_t elements = 1;
    for (const auto d : expected) {
        if (d != 0 && elements > fileBytes / sizeof(T) / d) {
            throw FormatError(file, "dataset " + path + " of shape " + dimsText(expected) + " cannot fit in a file of " +
                                        std::to_string(fileBytes) + " bytes", kReadHint);
        }
        elements *= d;
    }
    std::vector<T> out(product(expected));
    if (!out.empty()) ds.read(out.data(), memType);
    return out;
}

}  // namespace

std::vector<double> H5Reader::doubles(const std::string& path, const Dims& expected) const {
    return guarded<FormatError>(m->path, "reading dataset " + path, kReadHint, [&] {
        return readDataset<double>(*m->file, m->path, m->fileBytes, path, expected, H5T_FLOAT, H5::PredType::NATIVE_DOUBLE);
    });
}

std::vector<std::int64_t> H5Reader::ints(const std::string& path, const Dims& expected) const {
    return guarded<FormatError>(m->path, "reading dataset " + path, kReadHint, [&] {
        return readDataset<std::int64_t>(*m->file, m->path, m->fileBytes, path, expected, H5T_INTEGER, H5::PredType::NATIVE_INT64);
    });
}

}  // namespace avss::cache
