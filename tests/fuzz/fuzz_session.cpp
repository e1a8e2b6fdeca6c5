// Why: session files (*.avss.json) are opened by double-click or drag and drop and may be shared.
// Besides not crashing: a session that parses writes back to JSON that parses to the same session.
#include <QByteArray>
#include <QString>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "session_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto session = avss::ui::sessionFromJson(json, &error);
    if (!session) {
        if (error.isEmpty()) {
            std::fprintf(stderr, "session rejected without a reason\n");
            std::abort();
        }
        return 0;
    }
    const QByteArray written = avss::ui::sessionToJson(*session);
    const auto again = avss::ui::sessionFromJson(written, &error);
    if (!again || avss::ui::sessionToJson(*again) != written) {
        std::fprintf(stderr, "session does not survive a save and reload: %s\n", qPrintable(error));
        std::abort();
    }
    return 0;
}
