// The one place where Qt strings meet the core's UTF-8 std::string and std::filesystem::path.
#pragma once

#include <QString>
#include <filesystem>
#include <string>

namespace avss::ui {

inline QString toQString(const std::string& utf8) { return QString::fromStdString(utf8); }
inline std::string toUtf8(const QString& s) { return s.toStdString(); }

// Paths go through UTF-8 explicitly: std::filesystem would otherwise use the locale's narrow encoding.
inline QString toQString(const std::filesystem::path& p) { return QString::fromStdString(p.u8string()); }
inline std::filesystem::path toPath(const QString& s) { return std::filesystem::u8path(s.toStdString()); }

}  // namespace avss::ui
