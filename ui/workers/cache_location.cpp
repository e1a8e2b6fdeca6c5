// Cache file naming from the provenance fields that select an analysis.
#include "workers/cache_location.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <sstream>

#include "util/qt_convert.h"

namespace avss::ui {
namespace {

void writeList(std::ostringstream& out, const char* name, const std::vector<double>& values) {
    out << name << '=';
    for (double v : values) out << v << ',';
    out << '\n';
}

}  // namespace

QString analysisCacheFile(const QString& cacheDir, const avss::StatsProvenance& wanted) {
    const auto& o = wanted.options;
    std::ostringstream key;
    key.precision(17);
    key << "model=" << wanted.modelFingerprint << "\ndata=" << wanted.dataFingerprint << "\nseq=" << o.sequenceLength
        << "\nmaxTokens=" << o.maxTokens << "\nbatch=" << o.batchSize << "\nshards=" << o.shards
        << "\nrefEps=" << o.settings.referenceEpsilon << "\nexcludeFirst=" << o.settings.excludeFirstToken
        << "\nattnOut=" << o.settings.attnOut << '\n';
    writeList(key, "abs", o.settings.absThresholds);
    writeList(key, "rel", o.settings.relThresholds);
    const QByteArray digest = QCryptographicHash::hash(QByteArray::fromStdString(key.str()), QCryptographicHash::Sha256);
    const QString name = QString::fromLatin1(digest.toHex().left(24)) + QStringLiteral(".h5");
    return QDir(cacheDir).filePath(QStringLiteral("analyses/") + name);
}

QString measurementFileFor(const QString& analysisCacheFile) {
    const QFileInfo info(analysisCacheFile);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".whatif.json"));
}

}  // namespace avss::ui
