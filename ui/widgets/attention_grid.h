// One block's attention pattern over a prompt: query positions down, key positions across, each
// cell coloured by its weight relative to the largest in its query row (viridis). Painted directly:
// a 256-token prompt is 65,536 cells, too many for item widgets. Hover shows the exact weight.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

namespace avss::ui {

class AttentionGrid : public QWidget {
    Q_OBJECT
public:
    explicit AttentionGrid(QWidget* parent = nullptr);

    // weights: T×T row-major (query, key); labels: the T token texts. Empty weights: shows `note`.
    void setPattern(std::vector<float> weights, QStringList labels, QString note = {});
    float weightAt(int query, int key) const;
    int size() const { return m_labels.size(); }
    QRect cellRect(int query, int key) const;  // in widget coordinates (tests hover over it)

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;  // tooltips

private:
    int cellSize() const;
    int labelWidth() const;

    std::vector<float> m_weights;
    std::vector<float> m_rowMax;
    QStringList m_labels;
    QString m_note;
};

}  // namespace avss::ui
