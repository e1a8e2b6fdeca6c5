// The Metrics explained page: HTML built from the core's registry and guide, shown in a QTextBrowser.
#include "metrics_explained.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QPointer>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <cmath>

#include "avss/layer_scores.h"
#include "avss/measured_importance.h"
#include "avss/metric_guide.h"
#include "render/colour_map.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

QString esc(const std::string& s) { return toQString(s).toHtmlEscaped(); }

QString citationText(const std::string& key) {
    for (const auto& c : avss::citations()) {
        if (c.key != key) continue;
        return esc(c.text) + (c.arxiv.empty() ? QString() : QStringLiteral(" <a href=\"https://arxiv.org/abs/%1\">arXiv:%1</a>").arg(toQString(c.arxiv)));
    }
    return QObject::tr("this project's variant (docs/metrics.md)");
}

QString metricSection(const avss::MetricInfo& info) {
    const auto g = avss::metricGuide(info.id);
    return QStringLiteral("<h3>%1 <small><code>%2</code></small></h3><p>%3</p>"
                          "<p style=\"margin-left:16px; font-family:serif; font-style:italic; font-size:large\">%4</p>"
                          "<p><b>%5</b> %6<br><b>%7</b> %8<br><b>%9</b> %10</p>")
        .arg(esc(info.name), esc(info.id), esc(g.meaning), esc(info.formula), QObject::tr("Reads:"), esc(info.measured),
             QObject::tr("For pruning:"), esc(g.pruning), QObject::tr("Source:"), citationText(g.source));
}

// Kendall τ between every pair of metrics of this analysis, coloured from −1 (dark) to 1 (bright).
QString agreementTable(const std::vector<avss::LayerScores>& scores) {
    const auto a = avss::compareMetrics(scores);
    QString html = QObject::tr("<h2>How the metrics agree on this analysis</h2><p>Kendall τ between the layer rankings "
                               "(1 = the same order, 0 = unrelated, −1 = reversed).</p><table cellspacing=\"0\" cellpadding=\"3\"><tr><td></td>");
    for (const auto& m : a.metrics) html += QStringLiteral("<td><small><code>%1</code></small></td>").arg(esc(m));
    html += QStringLiteral("</tr>");
    for (std::size_t i = 0; i < a.metrics.size(); ++i) {
        html += QStringLiteral("<tr><td><small><code>%1</code></small></td>").arg(esc(a.metrics[i]));
        for (std::size_t j = 0; j < a.metrics.size(); ++j) {
            const double tau = a.kendallTau[i][j];
            if (!std::isfinite(tau)) {
                html += QStringLiteral("<td align=\"center\">–</td>");
                continue;
            }
            const QColor c = viridis((tau + 1) / 2);
            const QColor ink = c.lightnessF() > 0.55 ? Qt::black : Qt::white;
            html += QStringLiteral("<td align=\"center\" style=\"background:%1; color:%2\">%3</td>")
                        .arg(c.name(), ink.name(), QString::number(tau, 'f', 2));
        }
        html += QStringLiteral("</tr>");
    }
    return html + QStringLiteral("</table>");
}

}  // namespace

QString metricsExplainedHtml(const std::vector<avss::LayerScores>* scores) {
    QString html = QObject::tr("<h1>Metrics explained</h1><p>Each metric gives every layer a number; the layers with the "
                               "lowest numbers (highest for <i>Reverse order</i>) are pruned first. The heatmap shows them "
                               "side by side; the pruning panel picks one.</p>");
    const auto& chosen = avss::defaultPruneMetric();
    html += QObject::tr("<a name=\"default-metric\"></a><h2>The default: %1</h2><p>%2</p><p><b>Evidence:</b> %3. On your own model, "
                        "the pruning panel's <i>Sweep</i> measures the same retention curves.</p>")
                .arg(esc(avss::findMetric(chosen.id).name), esc(chosen.why), esc(chosen.evidence));
    html += QObject::tr("<h2>Computed from the activation statistics</h2>");
    for (const auto& info : avss::metricRegistry()) html += metricSection(info);
    html += QObject::tr("<h2>Measured with the model</h2><p>These run the model with blocks skipped (<code>avss score --measured</code>, "
                        "<code>avss sweep</code>).</p>");
    for (const auto& info : avss::measuredMetricRegistry()) {
        if (info.id.rfind("iterative:", 0) == 0 && info.id != "iterative:bi") continue;  // one iterative example is enough
        html += metricSection(info);
    }
    if (scores && !scores->empty()) html += agreementTable(*scores);
    html += QObject::tr("<h2>Glossary</h2><table cellpadding=\"3\">");
    for (const auto& e : avss::glossary()) html += QStringLiteral("<tr><td valign=\"top\"><b>%1</b></td><td>%2</td></tr>").arg(esc(e.term), esc(e.definition));
    html += QObject::tr("</table><h2>References</h2><ol>");
    for (const auto& c : avss::citations()) html += QStringLiteral("<li>%1</li>").arg(citationText(c.key));
    return html + QStringLiteral("</ol>");
}

QString metricTooltip(const QString& metricId) {
    const auto id = toUtf8(metricId);
    const auto& info = avss::findMetric(id);
    const auto g = avss::metricGuide(id);
    return QStringLiteral("<b>%1</b><br>%2<br><i>%3</i><br>%4").arg(esc(info.name), esc(g.meaning), esc(info.formula), esc(g.pruning));
}

void showMetricsExplained(QWidget* parent, const std::vector<avss::LayerScores>* scores, const QString& anchor) {
    static QPointer<QDialog> open;  // one page per process, refreshed on every call
    if (!open) {
        open = new QDialog(parent);
        open->setObjectName(QStringLiteral("metricsExplained"));
        open->setAttribute(Qt::WA_DeleteOnClose);
        open->setWindowTitle(QObject::tr("Metrics explained"));
        auto* layout = new QVBoxLayout(open);
        auto* browser = new QTextBrowser(open);
        browser->setOpenExternalLinks(true);
        layout->addWidget(browser);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, open);
        QObject::connect(buttons, &QDialogButtonBox::rejected, open, &QDialog::close);
        layout->addWidget(buttons);
        open->resize(760, 820);
    }
    auto* browser = open->findChild<QTextBrowser*>();
    browser->setHtml(metricsExplainedHtml(scores));
    open->show();
    open->raise();
    if (!anchor.isEmpty()) browser->scrollToAnchor(anchor);
}

}  // namespace avss::ui
