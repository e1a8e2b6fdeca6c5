// Files stored next to an analysis cache (the cache's own name comes from the core: analysisCachePath).
#include "workers/cache_location.h"

#include <QDir>
#include <QFileInfo>

namespace avss::ui {

QString measurementFileFor(const QString& analysisCacheFile) {
    const QFileInfo info(analysisCacheFile);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".whatif.json"));
}

}  // namespace avss::ui
