#include "signal/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "signal/serve_metrics.hpp"

namespace picortc::signal {
namespace {

TEST(PrometheusText, FamilyWithHelpTypeAndLabelledSamples) {
  PrometheusWriter w;
  w.family("picortc_viewers", "Viewers per stream.", MetricType::kGauge);
  w.sample({{"stream", "cam"}}, uint64_t{3});
  w.sample({{"stream", "door"}, {"kind", "x"}}, uint64_t{0});
  w.family("picortc_up", "Up.", MetricType::kCounter);
  w.sample(uint64_t{1});
  EXPECT_EQ(w.text(),
            "# HELP picortc_viewers Viewers per stream.\n"
            "# TYPE picortc_viewers gauge\n"
            "picortc_viewers{stream=\"cam\"} 3\n"
            "picortc_viewers{stream=\"door\",kind=\"x\"} 0\n"
            "# HELP picortc_up Up.\n"
            "# TYPE picortc_up counter\n"
            "picortc_up 1\n");
}

TEST(PrometheusText, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  PrometheusWriter w;
  w.family("m", "h", MetricType::kGauge);
  w.sample({{"stream", "we\"ird\\name\n"}}, uint64_t{1});
  EXPECT_NE(w.text().find("m{stream=\"we\\\"ird\\\\name\\n\"} 1\n"), std::string::npos) << w.text();
}

TEST(PrometheusText, HelpTextEscapesBackslashAndNewlineOnly) {
  EXPECT_EQ(escape_help_text("a \"quoted\" \\ line\nnext"), "a \"quoted\" \\\\ line\\nnext");
}

TEST(PrometheusText, FloatValues) {
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(0.1), "0.1");
  EXPECT_EQ(format_metric_value(1e-3), "0.001");
  EXPECT_EQ(format_metric_value(12345678.0), "12345678");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusText, NameRules) {
  EXPECT_TRUE(is_valid_metric_name("picortc_sent_bytes_total"));
  EXPECT_TRUE(is_valid_metric_name("ns:metric"));
  EXPECT_FALSE(is_valid_metric_name("9lives"));
  EXPECT_FALSE(is_valid_metric_name("has-dash"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_label_name("ns:label"));
  EXPECT_TRUE(is_valid_label_name("stream"));
}

TEST(ServeMetrics, EveryFamilyHasHelpAndTypeAndStreamsAreLabelled) {
  StreamInfo cam;
  cam.name = "cam";
  cam.ingest = IngestState::kStalled;
  cam.viewers = 2;
  cam.keyframe_requests = 7;
  cam.bitrate_requests = 2;
  cam.requested_bitrate_kbps = 450;
  cam.min_viewer_estimate_bps = 420000;
  cam.totals.bytes_sent = 123456;
  cam.totals.nacks_received = 3;
  SessionInfo viewer;
  viewer.id = "0123456789abcdef0123456789abcdef";
  viewer.stream = "cam";
  viewer.rtt_ms = 12.5;
  SessionInfo unmeasured = viewer;
  unmeasured.id = "fedcba9876543210fedcba9876543210";
  unmeasured.rtt_ms.reset();
  HttpCounters http;
  http.responses_by_status[201] = 4;
  http.responses_by_status[404] = 1;
  const std::string text = render_serve_metrics({cam}, {viewer, unmeasured}, http);

  for (const char* line : {
           "picortc_viewers{stream=\"cam\"} 2\n",
           "picortc_ingest_state{stream=\"cam\",state=\"stalled\"} 1\n",
           "picortc_ingest_state{stream=\"cam\",state=\"receiving\"} 0\n",
           "picortc_keyframe_requests_total{stream=\"cam\"} 7\n",
           "picortc_bitrate_requests_total{stream=\"cam\"} 2\n",
           "picortc_requested_bitrate_bits_per_second{stream=\"cam\"} 450000\n",
           "picortc_viewer_estimate_min_bits_per_second{stream=\"cam\"} 420000\n",
           "picortc_sent_bytes_total{stream=\"cam\"} 123456\n",
           "picortc_nacks_received_total{stream=\"cam\"} 3\n",
           "picortc_session_rtt_seconds{stream=\"cam\",session=\"01234567\"} 0.0125\n",
           "picortc_http_responses_total{code=\"404\"} 1\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  EXPECT_EQ(text.find("fedcba98"), std::string::npos) << "no RTT sample before one is measured";
  EXPECT_EQ(text.find("0123456789abcdef0123"), std::string::npos) << "full session ids are capabilities";
  // Every sample line belongs to a family announced just before it.
  size_t families = 0;
  size_t pos = 0;
  while ((pos = text.find("# TYPE ", pos)) != std::string::npos) {
    ++families;
    ++pos;
  }
  size_t helps = 0;
  pos = 0;
  while ((pos = text.find("# HELP ", pos)) != std::string::npos) {
    ++helps;
    ++pos;
  }
  EXPECT_EQ(families, helps);
  EXPECT_GE(families, 17u);
}

}  // namespace
}  // namespace picortc::signal
