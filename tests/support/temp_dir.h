// A unique temporary directory removed with everything in it when the object goes away.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace avss::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

void writeBytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes);
void writeText(const std::filesystem::path& path, const std::string& text);
std::vector<unsigned char> readBytes(const std::filesystem::path& path);

}  // namespace avss::test
