// Model, calibration data and analysis settings: what the next analysis will run on. Edits go to
// the Workspace at once; the JobCenter then looks the new combination up in the cache.
#pragma once

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace avss::ui {

class Workspace;

class DataPanel : public QWidget {
    Q_OBJECT
public:
    DataPanel(Workspace& workspace, QAction* openModel, QAction* openSample, QWidget* parent = nullptr);

    void chooseDataFile();   // file dialog; JSONL recognised by the core
    void chooseCacheFile();  // file dialog for a user-chosen analysis cache

private:
    QWidget* buildModelBox(QAction* openModel, QAction* openSample);
    QWidget* buildDataBox();
    QWidget* buildSettingsBox();
    void showModel();
    void showData();     // Workspace → widgets
    void showSettings();
    void applySettings();  // widgets → Workspace

    Workspace& m_workspace;
    QLabel* m_modelInfo;
    QRadioButton* m_builtin;
    QRadioButton* m_file;
    QLineEdit* m_path;
    QLineEdit* m_jsonField;
    QSpinBox* m_tokens;
    QSpinBox* m_sequenceLength;
    QSpinBox* m_batch;
    QSpinBox* m_shards;
    QComboBox* m_device;
    QComboBox* m_weights;
    QSpinBox* m_threads;
    QSpinBox* m_evalTokens;
    QLabel* m_cacheFile;
    bool m_syncing = false;
};

}  // namespace avss::ui
