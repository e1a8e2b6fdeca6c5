// loadLesson: QJsonDocument, every field checked, so a hand-edited lesson fails with a message.
#include "lesson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "avss/layer_scores.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

bool knownMetric(const QString& id) {
    for (const auto& m : avss::metricRegistry()) {
        if (toQString(m.id) == id) return true;
    }
    return false;
}

}  // namespace

std::optional<Lesson> loadLesson(const QString& path, QString* error) {
    const auto fail = [&](const QString& why) {
        *error = QObject::tr("%1: %2").arg(path, why);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return fail(QObject::tr("cannot be read (%1)").arg(file.errorString()));
    QJsonParseError parse{};
    const auto doc = QJsonDocument::fromJson(file.read(1 << 20), &parse);
    if (parse.error != QJsonParseError::NoError) return fail(QObject::tr("is not JSON (%1 at byte %2)").arg(parse.errorString()).arg(parse.offset));
    const auto root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String("avss-lesson")) return fail(QObject::tr("is not an avss-lesson file"));
    Lesson lesson;
    lesson.title = root.value(QStringLiteral("title")).toString();
    lesson.model = root.value(QStringLiteral("model")).toString(QStringLiteral("default"));
    lesson.data = root.value(QStringLiteral("data")).toString(QStringLiteral("builtin"));
    const auto steps = root.value(QStringLiteral("steps")).toArray();
    if (steps.isEmpty()) return fail(QObject::tr("has no steps"));
    for (int i = 0; i < steps.size(); ++i) {
        const auto o = steps[i].toObject();
        LessonStep s;
        s.title = o.value(QStringLiteral("title")).toString();
        s.note = o.value(QStringLiteral("note")).toString();
        if (s.title.isEmpty() || s.note.isEmpty()) return fail(QObject::tr("step %1 lacks a title or a note").arg(i + 1));
        s.metric = o.value(QStringLiteral("metric")).toString();
        if (!s.metric.isEmpty() && !knownMetric(s.metric)) return fail(QObject::tr("step %1: unknown metric '%2'").arg(i + 1).arg(s.metric));
        s.remove = o.value(QStringLiteral("remove")).toInt(-1);
        s.layer = o.value(QStringLiteral("layer")).toInt(-1);
        s.panel = o.value(QStringLiteral("panel")).toString();
        if (o.contains(QStringLiteral("sorted"))) s.sorted = o.value(QStringLiteral("sorted")).toBool();
        s.lens = o.value(QStringLiteral("lens")).toString();
        s.lensSkipPlan = o.value(QStringLiteral("lens_skip_plan")).toBool(false);
        lesson.steps.push_back(std::move(s));
    }
    return lesson;
}

}  // namespace avss::ui
