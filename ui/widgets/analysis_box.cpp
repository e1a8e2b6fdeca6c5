// The analysis controls and the provenance of the shown results.
#include "widgets/analysis_box.h"

#include <QAction>
#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "job_center.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {

QString formatDuration(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds)) return QStringLiteral("?");
    const auto s = static_cast<qint64>(std::lround(seconds));
    return s >= 60 ? QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0')) : QObject::tr("%1 s").arg(s);
}

AnalysisBox::AnalysisBox(Workspace& workspace, JobCenter& jobs, const Actions& actions, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_jobs(jobs), m_actions(actions), m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this)), m_provenance(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* box = new QGroupBox(tr("Analysis"), this);
    auto* inner = new QVBoxLayout(box);
    auto* buttons = new QHBoxLayout;
    for (QAction* a : {actions.analyse, actions.rerun, actions.cancel}) {
        auto* b = new QToolButton(box);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        buttons->addWidget(b);
    }
    m_progress->setTextVisible(true);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progressText->setWordWrap(true);
    m_provenance->setWordWrap(true);
    m_provenance->setTextFormat(Qt::RichText);
    m_provenance->setTextInteractionFlags(Qt::TextSelectableByMouse);
    inner->addLayout(buttons);
    inner->addWidget(m_progress);
    inner->addWidget(m_progressText);
    inner->addWidget(m_provenance);
    layout->addWidget(box);
    layout->addStretch();
    connect(&m_jobs, &JobCenter::progressed, this, &AnalysisBox::showProgress);
    connect(&m_jobs, &JobCenter::busyChanged, this, &AnalysisBox::showBusy);
    connect(&m_jobs, &JobCenter::analysisMissing, this, &AnalysisBox::showMissing);
    connect(&m_workspace, &Workspace::analysisChanged, this, [this] {
        m_missingReason.clear();
        showProvenance();
    });
    connect(&m_workspace, &Workspace::modelChanged, this, [this] { showBusy(JobKind::Analysis, false); });
    showBusy(JobKind::Analysis, false);
    showProvenance();
}

QString progressSummary(const JobProgress& p) {
    QString text = p.total > 0 ? AnalysisBox::tr("%1: %2 / %3 %4").arg(p.stage).arg(p.done).arg(p.total).arg(p.unit)
                               : AnalysisBox::tr("%1 …").arg(p.stage);
    if (p.ratePerSecond > 0) text += AnalysisBox::tr(" · %1 %2/s").arg(p.ratePerSecond, 0, 'f', 0).arg(p.unit);
    if (p.etaSeconds >= 0) text += AnalysisBox::tr(" · ETA %1").arg(formatDuration(p.etaSeconds));
    return text;
}

void AnalysisBox::showProgress(JobKind kind, const JobProgress& p) {
    if (kind != JobKind::Analysis && kind != JobKind::Load) return;
    const bool known = p.total > 0;
    m_progress->setRange(0, known ? 1000 : 0);
    if (known) m_progress->setValue(static_cast<int>(1000.0 * static_cast<double>(p.done) / static_cast<double>(p.total)));
    m_progressText->setText(progressSummary(p));
}

void AnalysisBox::showBusy(JobKind kind, bool busy) {
    if (kind != JobKind::Analysis && kind != JobKind::Load) return;
    const bool running = m_jobs.isBusy(JobKind::Analysis) || m_jobs.isBusy(JobKind::Load);
    const bool haveModel = m_workspace.model() != nullptr;
    m_actions.analyse->setEnabled(haveModel && !running);
    m_actions.rerun->setEnabled(haveModel && !running);
    m_progress->setVisible(running);  // only while a job runs
    if (!running) {
        m_progressText->clear();
    } else {
        m_progress->setRange(0, 0);  // busy until the first report
        m_progressText->setText(kind == JobKind::Load ? tr("loading the model …") : tr("preparing …"));
    }
}

void AnalysisBox::showProvenance() {
    if (!m_workspace.hasAnalysis()) {
        const QString why = m_missingReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_missingReason.toHtmlEscaped());
        m_provenance->setText(m_workspace.model() ? tr("<i>Not analysed yet</i>%1. Press <b>Analyse</b> (F5).").arg(why) : QString());
        return;
    }
    const auto& a = m_workspace.analysis();
    const auto& p = a.stats->provenance;
    QString html = a.fromCache ? tr("<b>From the cache</b> — press <i>Re-run</i> to compute again.")
                               : tr("<b>Computed now</b> and stored in the cache.");
    html += tr("<br>model: %1 <small>(%2…)</small><br>data: %3 <small>(%4…)</small>")
                .arg(toQString(p.modelName).toHtmlEscaped(), toQString(p.modelFingerprint).left(12),
                     toQString(p.dataName).toHtmlEscaped(), toQString(p.dataFingerprint).left(12));
    html += tr("<br>%1 tokens in %2 windows of %3 · %4 shards · batch %5")
                .arg(p.tokens)
                .arg(p.sequences)
                .arg(p.options.sequenceLength)
                .arg(p.shardCount)
                .arg(p.options.batchSize);
    html += tr("<br>computed %1 by avss %2").arg(toQString(p.createdUtc), toQString(p.toolVersion));
    if (a.fromCache) html += tr(" · cache schema %1").arg(p.schemaVersion);
    html += tr("<br><small>%1</small>").arg(a.cacheFile.toHtmlEscaped());
    for (const auto& w : p.warnings) html += QStringLiteral("<br><small><i>⚠ %1</i></small>").arg(toQString(w).toHtmlEscaped());
    if (!a.cacheNote.isEmpty()) html += QStringLiteral("<br><small><i>⚠ %1</i></small>").arg(a.cacheNote.toHtmlEscaped());
    if (!m_missingReason.isEmpty()) {
        html += tr("<br><b>Settings changed:</b> <i>%1</i>. The results shown are for the settings above; press Analyse for "
                   "the new ones.").arg(m_missingReason.toHtmlEscaped());
    }
    m_provenance->setText(html);
}

void AnalysisBox::showMissing(const QString& reason) {
    m_missingReason = reason;
    showProvenance();
}

}  // namespace avss::ui
