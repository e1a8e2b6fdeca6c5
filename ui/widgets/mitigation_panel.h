// Hallucination mitigation (paper B): hallucination-prone layers by EAVSS, contrastive fine-tuning
// settings, a live loss chart and a before/after table. Laid out now and visibly disabled until the
// core has hallucination analysis and fine-tuning: no mock run ever.
#pragma once

#include <QWidget>

namespace avss::ui {

class MitigationPanel : public QWidget {
    Q_OBJECT
public:
    explicit MitigationPanel(QWidget* parent = nullptr);
    QWidget* controls() const { return m_controls; }
    static QString missingCoreFeatures();  // what the core must provide before this panel works

private:
    QWidget* buildLayers();
    QWidget* buildTraining();
    QWidget* buildResults();
    QWidget* m_controls;
};

}  // namespace avss::ui
