// QCommandLineParser set-up for avss-explorer.
#include "app_options.h"

#include <QCommandLineParser>
#include <cstring>

namespace avss::ui {

bool wantsVersion(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) return true;
    }
    return false;
}

std::optional<AppOptions> parseAppOptions(const QStringList& arguments, QString* message, int* exitCode) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QObject::tr("AVSS Explorer: per-layer importance, pruning what-ifs and mitigation for LLMs."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QObject::tr("Show this help."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")}, QObject::tr("Print the versions and exit."));
    const QCommandLineOption model(QStringLiteral("model"), QObject::tr("Model to open: a .gguf file, a Hugging Face model folder, or 'default'."), QStringLiteral("MODEL"));
    const QCommandLineOption data(QStringLiteral("data"), QObject::tr("Calibration data: 'builtin' or a text/JSONL file."), QStringLiteral("DATA"));
    const QCommandLineOption session(QStringLiteral("session"), QObject::tr("Reopen a saved session."), QStringLiteral("FILE"));
    const QCommandLineOption shot(QStringLiteral("screenshot"), QObject::tr("Render the window with a finished analysis to a PNG and exit."), QStringLiteral("PNG"));
    const QCommandLineOption metric(QStringLiteral("metric"), QObject::tr("Metric to show and prune by."), QStringLiteral("ID"));
    const QCommandLineOption remove(QStringLiteral("remove"), QObject::tr("Number of layers the plan removes."), QStringLiteral("K"));
    const QCommandLineOption layer(QStringLiteral("layer"), QObject::tr("Layer to select."), QStringLiteral("N"));
    const QCommandLineOption measure(QStringLiteral("measure"), QObject::tr("Screenshot: measure the plan's retention first."));
    const QCommandLineOption recompute(QStringLiteral("recompute"), QObject::tr("Screenshot: analyse even if cached."));
    const QCommandLineOption panel(QStringLiteral("panel"), QObject::tr("Screenshot: dock to raise (prune, mitigation, detail, table, lens)."), QStringLiteral("NAME"));
    const QCommandLineOption scale(QStringLiteral("heatmap-scale"), QObject::tr("Heatmap colour: value or rank."), QStringLiteral("SCALE"));
    const QCommandLineOption sortedChart(QStringLiteral("sorted-chart"), QObject::tr("Show the score chart sorted in prune order (scree view)."));
    const QCommandLineOption metricsPage(QStringLiteral("metrics-page"), QObject::tr("Screenshot: grab the Metrics explained page."));
    const QCommandLineOption size(QStringLiteral("size"), QObject::tr("Screenshot window size, WxH (default 1600x1000)."), QStringLiteral("WxH"));
    const QCommandLineOption task(QStringLiteral("task"), QObject::tr("Benchmark task that Measure and Sweep score (avss eval's names)."), QStringLiteral("NAME"));
    const QCommandLineOption taskFile(QStringLiteral("task-file"), QObject::tr("The task's data file."), QStringLiteral("FILE"));
    const QCommandLineOption taskLimit(QStringLiteral("task-limit"), QObject::tr("Score the task's first N items (default 200, 0: all)."), QStringLiteral("N"));
    const QCommandLineOption sweep(QStringLiteral("sweep"), QObject::tr("Screenshot: run the retention sweep on the task first."));
    const QCommandLineOption mitigate(QStringLiteral("mitigate"), QObject::tr("Screenshot: find the prone layers of these answer pairs and fine-tune them in the mitigation panel first."), QStringLiteral("PAIRS"));
    const QCommandLineOption mitigateSteps(QStringLiteral("mitigate-steps"), QObject::tr("Screenshot: training steps of --mitigate (default 20)."), QStringLiteral("N"));
    const QCommandLineOption compare(QStringLiteral("compare"), QObject::tr("Screenshot: after --mitigate, analyse the tuned model; the heatmap shows tuned − original."));
    const QCommandLineOption lens(QStringLiteral("lens"), QObject::tr("Screenshot: run the logit lens on TEXT (the plan's blocks skipped when --remove is given) and show it."), QStringLiteral("TEXT"));
    const QCommandLineOption attentionBlock(QStringLiteral("attention-block"), QObject::tr("Screenshot: with --lens, show the Attention tab at block N (mean of the heads)."), QStringLiteral("N"));
    const QCommandLineOption lessonStep(QStringLiteral("lesson-step"), QObject::tr("Screenshot: open the bundled lesson at step N (1-based)."), QStringLiteral("N"));
    parser.addOptions({help, version, model, data, session, shot, metric, remove, layer, measure, recompute, panel, scale, sortedChart, metricsPage, size, task,
                       taskFile, taskLimit, sweep, mitigate, mitigateSteps, compare, lens, attentionBlock, lessonStep});
    parser.addPositionalArgument(QStringLiteral("model"), QObject::tr("A .gguf model file or Hugging Face model folder to open."), QStringLiteral("[MODEL]"));
    *exitCode = 2;
    if (!parser.parse(arguments)) {
        *message = parser.errorText() + QLatin1Char('\n') + parser.helpText();
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        *message = parser.helpText();
        *exitCode = 0;
        return std::nullopt;
    }
    AppOptions o;
    o.model = parser.value(model);
    if (o.model.isEmpty() && !parser.positionalArguments().isEmpty()) o.model = parser.positionalArguments().front();
    o.data = parser.value(data);
    o.session = parser.value(session);
    o.screenshot = parser.value(shot);
    o.metric = parser.value(metric);
    bool ok = true;
    if (parser.isSet(remove)) o.remove = parser.value(remove).toInt(&ok);
    if (ok && parser.isSet(layer)) o.layer = parser.value(layer).toInt(&ok);
    if (ok && parser.isSet(taskLimit)) o.taskLimit = parser.value(taskLimit).toInt(&ok);
    if (ok && parser.isSet(mitigateSteps)) o.mitigateSteps = parser.value(mitigateSteps).toInt(&ok);
    if (ok && parser.isSet(attentionBlock)) o.attentionBlock = parser.value(attentionBlock).toInt(&ok);
    if (ok && parser.isSet(lessonStep)) o.lessonStep = parser.value(lessonStep).toInt(&ok);
    if (ok && parser.isSet(size)) {
        const auto parts = parser.value(size).split(QLatin1Char('x'));
        ok = parts.size() == 2;
        if (ok) o.width = parts[0].toInt(&ok);
        if (ok) o.height = parts[1].toInt(&ok);
    }
    if (!ok || o.remove < -1 || o.layer < -1 || o.taskLimit < 0 || o.mitigateSteps < 1 || o.attentionBlock < -1 || o.lessonStep < 0) {
        *message = QObject::tr("--remove, --layer, --task-limit, --mitigate-steps and --size take non-negative integers (--size as WxH)");
        return std::nullopt;
    }
    o.measure = parser.isSet(measure);
    o.recompute = parser.isSet(recompute);
    o.panel = parser.value(panel);
    o.heatmapScale = parser.value(scale);
    o.sortedChart = parser.isSet(sortedChart);
    o.metricsPage = parser.isSet(metricsPage);
    o.lens = parser.value(lens);
    o.task = parser.value(task);
    o.taskFile = parser.value(taskFile);
    o.sweep = parser.isSet(sweep);
    o.mitigate = parser.value(mitigate);
    o.compare = parser.isSet(compare);
    if (o.compare && o.mitigate.isEmpty()) {
        *message = QObject::tr("--compare needs --mitigate");
        return std::nullopt;
    }
    if (o.task.isEmpty() != o.taskFile.isEmpty() || (o.sweep && o.task.isEmpty())) {
        *message = QObject::tr("--task and --task-file go together, and --sweep needs them");
        return std::nullopt;
    }
    // Without a model the screenshot is the first launch; what acts on a model needs one.
    const bool needsModel = o.measure || o.sweep || !o.task.isEmpty() || !o.mitigate.isEmpty() || !o.lens.isEmpty() || o.remove >= 0;
    if (!o.screenshot.isEmpty() && o.model.isEmpty() && o.session.isEmpty() && needsModel) {
        *message = QObject::tr("--screenshot with --measure, --task, --sweep, --mitigate, --lens or --remove needs --model (a .gguf file or 'default')");
        return std::nullopt;
    }
    return o;
}

}  // namespace avss::ui
