// Hallucination mitigation (paper B): hallucination-prone layers by EAVSS, contrastive fine-tuning
// settings, a live loss chart and a before/after table. Laid out now and visibly disabled until it
// runs the core's analysis and trainer (today: `avss hallu`, `avss mitigate`): no mock run ever.
#pragma once

#include <QWidget>

namespace avss::ui {

class MitigationPanel : public QWidget {
    Q_OBJECT
public:
    explicit MitigationPanel(QWidget* parent = nullptr);
    QWidget* controls() const { return m_controls; }
    static QString missingCoreFeatures();  // why the panel is disabled, and where the feature runs today

private:
    QWidget* buildLayers();
    QWidget* buildTraining();
    QWidget* buildResults();
    QWidget* m_controls;
};

}  // namespace avss::ui
