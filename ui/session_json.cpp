// Session JSON (schema version 1). Unknown fields are ignored; missing ones keep their defaults.
// Qt Core only (no widgets, no workspace), so the fuzz target can link it on its own.
#include "session_json.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <algorithm>
#include <stdexcept>
#include <string>

#include "avss/device.h"
#include "avss/weight_storage.h"

namespace avss::ui {
namespace {

QJsonObject settingsToJson(const AnalysisSettings& s) {
    return {{"tokens", s.tokens},         {"sequence_length", s.sequenceLength}, {"batch", s.batchSize},
            {"shards", s.shards},         {"device", QString::fromLatin1(avss::deviceName(s.device))},
            {"weights", QString::fromLatin1(avss::weightStorageName(s.weights))}, {"threads", s.threads},
            {"eval_window", s.evalWindow}, {"eval_tokens", s.evalTokens}};
}

// A named setting parsed by `parse`; its error is reported as "field 'settings.<name>': ...".
template <class F>
auto settingField(const char* name, F&& parse) {
    try {
        return parse();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("field 'settings.") + name + "': " + e.what());
    }
}

AnalysisSettings settingsFromJson(const QJsonObject& o) {
    AnalysisSettings s;
    s.tokens = o.value("tokens").toInt(s.tokens);
    s.sequenceLength = o.value("sequence_length").toInt(s.sequenceLength);
    s.batchSize = o.value("batch").toInt(s.batchSize);
    s.shards = o.value("shards").toInt(s.shards);
    const auto device = o.value("device");
    if (device.isString()) s.device = settingField("device", [&] { return avss::parseDevice(device.toString().toStdString()); });
    else s.device = static_cast<avss::Device>(std::clamp(device.toInt(0), 0, 2));  // sessions written before names: the ordinal
    s.weights = settingField("weights", [&] {  // sessions from before weight storage: fp32
        return avss::parseWeightStorage(o.value("weights").toString(QStringLiteral("fp32")).toStdString());
    });
    s.threads = o.value("threads").toInt(s.threads);
    s.evalWindow = o.value("eval_window").toInt(s.evalWindow);
    s.evalTokens = o.value("eval_tokens").toInt(s.evalTokens);
    return s;
}

QJsonObject ruleToJson(const avss::PruningRule& r) {
    return {{"kind", QString::fromLatin1(avss::ruleName(r.kind))}, {"count", r.count},  {"fraction", r.fraction},
            {"mass", r.mass}, {"protect_first", r.protectFirst}, {"protect_last", r.protectLast}};
}

avss::PruningRule ruleFromJson(const QJsonObject& o) {
    avss::PruningRule r;
    r.kind = avss::parseRuleKind(o.value("kind").toString(QStringLiteral("count")).toStdString());
    r.count = o.value("count").toInt(0);
    r.fraction = o.value("fraction").toDouble(r.fraction);
    r.mass = o.value("mass").toDouble(r.mass);
    r.protectFirst = o.value("protect_first").toBool(true);
    r.protectLast = o.value("protect_last").toBool(true);
    return r;
}

}  // namespace

QByteArray sessionToJson(const Session& s) {
    const QJsonObject o{{"version", kSessionVersion},
                        {"model", s.modelPath},
                        {"data", QJsonObject{{"source", s.data.source}, {"json_field", s.data.jsonField}}},
                        {"settings", settingsToJson(s.settings)},
                        {"cache_file", s.cacheFile},
                        {"metric", s.metric},
                        {"rule", ruleToJson(s.rule)},
                        {"selected_layer", s.selectedLayer},
                        {"window_state", QString::fromLatin1(s.windowState.toBase64())},
                        {"window_geometry", QString::fromLatin1(s.windowGeometry.toBase64())}};
    return QJsonDocument(o).toJson();
}

std::optional<Session> sessionFromJson(const QByteArray& json, QString* error) {
    QJsonParseError parse{};
    const auto doc = QJsonDocument::fromJson(json, &parse);
    if (doc.isNull() || !doc.isObject()) {
        *error = QObject::tr("not a JSON object (%1)").arg(parse.errorString());
        return std::nullopt;
    }
    const auto o = doc.object();
    if (o.value("version").toInt() != kSessionVersion) {
        *error = QObject::tr("field 'version' is %1, expected %2").arg(o.value("version").toInt()).arg(kSessionVersion);
        return std::nullopt;
    }
    Session s;
    s.modelPath = o.value("model").toString();
    const auto data = o.value("data").toObject();
    s.data.source = data.value("source").toString(QStringLiteral("builtin"));
    s.data.jsonField = data.value("json_field").toString(QStringLiteral("text"));
    try {
        s.settings = settingsFromJson(o.value("settings").toObject());
    } catch (const std::exception& e) {
        *error = QString::fromUtf8(e.what());  // names the field: settings.device, settings.weights
        return std::nullopt;
    }
    s.cacheFile = o.value("cache_file").toString();
    s.metric = o.value("metric").toString();
    try {
        s.rule = ruleFromJson(o.value("rule").toObject());
    } catch (const std::exception& e) {  // parseRuleKind names the known rules
        *error = QObject::tr("field 'rule.kind': %1").arg(QString::fromUtf8(e.what()));
        return std::nullopt;
    }
    s.selectedLayer = o.value("selected_layer").toInt(-1);
    s.windowState = QByteArray::fromBase64(o.value("window_state").toString().toLatin1());
    s.windowGeometry = QByteArray::fromBase64(o.value("window_geometry").toString().toLatin1());
    return s;
}

}  // namespace avss::ui
