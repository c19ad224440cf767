#include "signal/prometheus_text.hpp"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace picortc::signal {

namespace {

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_name_char(char c, bool allow_colon) {
  return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
}

bool is_valid_name(std::string_view name, bool allow_colon) {
  if (name.empty() || !is_name_start(name[0], allow_colon)) return false;
  for (char c : name) {
    if (!is_name_char(c, allow_colon)) return false;
  }
  return true;
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  return is_valid_name(name, true);
}

bool is_valid_label_name(std::string_view name) {
  return is_valid_name(name, false);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help_text(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest precision that reads back to the same double.
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

void PrometheusWriter::family(std::string_view name, std::string_view help, MetricType type) {
  assert(is_valid_metric_name(name));
  current_ = std::string(name);
  out_ += "# HELP ";
  out_ += current_;
  out_ += ' ';
  out_ += escape_help_text(help);
  out_ += "\n# TYPE ";
  out_ += current_;
  out_ += type == MetricType::kCounter ? " counter\n" : " gauge\n";
}

void PrometheusWriter::write_name_and_labels(const MetricLabels& labels) {
  assert(!current_.empty());
  out_ += current_;
  if (labels.empty()) return;
  out_ += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    assert(is_valid_label_name(name));
    if (!first) out_ += ',';
    first = false;
    out_ += name;
    out_ += "=\"";
    out_ += escape_label_value(value);
    out_ += '"';
  }
  out_ += '}';
}

void PrometheusWriter::sample(const MetricLabels& labels, double value) {
  write_name_and_labels(labels);
  out_ += ' ';
  out_ += format_metric_value(value);
  out_ += '\n';
}

void PrometheusWriter::sample(const MetricLabels& labels, uint64_t value) {
  write_name_and_labels(labels);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

}  // namespace picortc::signal
