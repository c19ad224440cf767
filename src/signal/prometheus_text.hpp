#pragma once
// A small writer of the Prometheus text exposition format (version 0.0.4):
//
//   # HELP picortc_viewers Viewers connected or connecting, per stream.
//   # TYPE picortc_viewers gauge
//   picortc_viewers{stream="cam"} 2
//
// HELP text escapes '\' and newline; label values escape '\', '"' and
// newline. Every sample of a family is written right after its HELP/TYPE.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace picortc::signal {

enum class MetricType { kCounter, kGauge };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusWriter {
 public:
  // Starts a metric family. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*
  // (asserted: names are ours, never from input).
  void family(std::string_view name, std::string_view help, MetricType type);
  // A sample of the current family. Label names follow the metric-name rule
  // without ':'; label values may be anything (escaped).
  void sample(const MetricLabels& labels, double value);
  void sample(const MetricLabels& labels, uint64_t value);
  void sample(double value) { sample(MetricLabels{}, value); }
  void sample(uint64_t value) { sample(MetricLabels{}, value); }

  const std::string& text() const { return out_; }

 private:
  void write_name_and_labels(const MetricLabels& labels);

  std::string out_;
  std::string current_;
};

bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);
std::string escape_label_value(std::string_view value);
std::string escape_help_text(std::string_view help);
// Go-style float text as Prometheus expects: "NaN", "+Inf", "-Inf", else
// the shortest round-tripping form.
std::string format_metric_value(double value);

}  // namespace picortc::signal
