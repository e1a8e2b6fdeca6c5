// JSON persistence of measured what-if points (schema: {"version":1,"points":[…]}).
#include "measurement_book.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <algorithm>
#include <cmath>

#include "avss/sweep.h"

namespace avss::ui {
namespace {

constexpr int kBookVersion = 1;

QJsonObject toJson(const MeasuredPoint& p) {
    QJsonArray removed;
    for (int l : p.removed) removed.append(l);
    return {{"metric", p.metric},       {"rule", p.rule},           {"removed", removed},
            {"dense_nll", p.denseNll},  {"pruned_nll", p.prunedNll}, {"predicted_tokens", p.predictedTokens},
            {"window", p.window},       {"eval_tokens", p.evalTokens}, {"note", p.note},
            {"measured_utc", p.measuredUtc}, {"task", p.task},         {"task_file", p.taskFile},
            {"task_limit", p.taskLimit},    {"task_metric", p.taskMetric}, {"dense_score", p.denseScore},
            {"pruned_score", p.prunedScore}, {"floor", p.floor},         {"higher_is_better", p.higherIsBetter},
            {"items", p.items},             {"held_out_bos", p.heldOutBos}};
}

MeasuredPoint fromJson(const QJsonObject& o) {
    MeasuredPoint p;
    p.metric = o.value("metric").toString();
    p.rule = o.value("rule").toString();
    for (const auto& v : o.value("removed").toArray()) p.removed.push_back(v.toInt());
    p.denseNll = o.value("dense_nll").toDouble();
    p.prunedNll = o.value("pruned_nll").toDouble();
    p.predictedTokens = o.value("predicted_tokens").toInteger();
    p.window = o.value("window").toInt();
    p.evalTokens = o.value("eval_tokens").toInteger();
    p.note = o.value("note").toString();
    p.measuredUtc = o.value("measured_utc").toString();
    p.task = o.value("task").toString();  // absent in files written before tasks: held-out perplexity
    p.taskFile = o.value("task_file").toString();
    p.taskLimit = o.value("task_limit").toInt();
    p.taskMetric = o.value("task_metric").toString();
    p.denseScore = o.value("dense_score").toDouble();
    p.prunedScore = o.value("pruned_score").toDouble();
    p.floor = o.value("floor").toDouble();
    p.higherIsBetter = o.value("higher_is_better").toBool(true);
    p.items = o.value("items").toInteger();
    p.heldOutBos = o.value("held_out_bos").toBool(false);  // absent before the field: Measure then never put BOS first
    return p;
}

bool sameConfiguration(const MeasuredPoint& a, const std::vector<int>& removed, const MeasureSetup& setup) {
    return a.removed == removed && MeasureSetup::of(a) == setup;
}

}  // namespace

double MeasuredPoint::densePerplexity() const { return std::exp(denseNll); }
double MeasuredPoint::prunedPerplexity() const { return std::exp(prunedNll); }
double MeasuredPoint::retention() const {  // the core's definition, as the sweep curves use it
    if (!isTask()) return avss::retentionRatio(prunedPerplexity(), densePerplexity(), false);
    return avss::retentionRatio(prunedScore, denseScore, higherIsBetter);
}

QString MeasurementBook::open(const QString& file) {
    clear();
    m_file = file;
    QFile f(file);
    if (!f.exists()) return {};
    if (!f.open(QIODevice::ReadOnly)) return QObject::tr("%1: cannot read (%2)").arg(file, f.errorString());
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (doc.isNull()) return QObject::tr("%1: not valid JSON (%2)").arg(file, error.errorString());
    if (doc.object().value("version").toInt() != kBookVersion) {
        return QObject::tr("%1: unknown measurement file version").arg(file);
    }
    for (const auto& v : doc.object().value("points").toArray()) m_points.push_back(fromJson(v.toObject()));
    return {};
}

void MeasurementBook::clear() {
    m_file.clear();
    m_points.clear();
}

std::optional<MeasuredPoint> MeasurementBook::findRemoved(const std::vector<int>& removed, const MeasureSetup& setup) const {
    for (const auto& p : m_points) {
        if (sameConfiguration(p, removed, setup)) return p;
    }
    return std::nullopt;
}

QString MeasurementBook::add(const MeasuredPoint& point) {
    auto same = std::find_if(m_points.begin(), m_points.end(), [&](const MeasuredPoint& p) {
        return p.metric == point.metric && sameConfiguration(p, point.removed, MeasureSetup::of(point));
    });
    if (same != m_points.end()) *same = point;
    else m_points.push_back(point);
    if (m_file.isEmpty()) return {};
    QJsonArray points;
    for (const auto& p : m_points) points.append(toJson(p));
    QDir().mkpath(QFileInfo(m_file).absolutePath());
    QSaveFile out(m_file);  // temporary file + rename: never half-written
    if (!out.open(QIODevice::WriteOnly)) return QObject::tr("%1: cannot write (%2)").arg(m_file, out.errorString());
    out.write(QJsonDocument(QJsonObject{{"version", kBookVersion}, {"points", points}}).toJson());
    if (!out.commit()) return QObject::tr("%1: cannot write (%2)").arg(m_file, out.errorString());
    return {};
}

}  // namespace avss::ui
