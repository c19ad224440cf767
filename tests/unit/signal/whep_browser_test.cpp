// Headless Chromium against the real viewer page served by the WHEP server.
// The peer-connection layer is stood in for by SdpAnsweringHandler, so no
// media flows; what is tested is everything before it: the page loads from
// the embedded assets, lists the streams from /api/streams, creates a real
// browser offer, POSTs it to /whep/<stream>, applies our SDP answer, and
// DELETEs its session when the tab closes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sdp/session_description.hpp"
#include "sdp_answering_handler.hpp"
#include "signal/whep_server.hpp"

namespace picortc::signal {
namespace {

using test::LoopThread;
using test::SdpAnsweringHandler;

const std::string kBrowserDir = std::string(PICORTC_SOURCE_DIR) + "/tests/browser";

bool browser_tools_present(std::string& why) {
  if (access("/usr/bin/chromium", X_OK) != 0) {
    why = "no /usr/bin/chromium (scripts/install-browser-deps.sh)";
    return false;
  }
  if (access((kBrowserDir + "/node_modules/playwright-core/package.json").c_str(), R_OK) != 0) {
    why = "no playwright-core in tests/browser/node_modules (scripts/install-browser-deps.sh)";
    return false;
  }
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    why = "no node";
    return false;
  }
  return true;
}

// Runs the harness, returns its stdout (the JSON line) and exit code.
std::string run_harness(const std::string& args, int& exit_code) {
  const std::string command = "node " + kBrowserDir + "/harness.mjs " + args;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    exit_code = -1;
    return {};
  }
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  const int status = pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(WhepBrowser, ViewerPagePostsARealOfferAndAppliesTheAnswer) {
  std::string why;
  if (!browser_tools_present(why)) GTEST_SKIP() << why;

  StreamInfo cam;
  cam.name = "cam";
  cam.ingest = IngestState::kReceiving;
  cam.width = 1280;
  cam.height = 720;
  cam.profile_level_id = "42e01f";
  LoopThread loop;
  SdpAnsweringHandler handler({cam}, ViewerLimits{});
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  WhepServer server(loop.loop(), handler, options);
  ASSERT_TRUE(server.start().ok());

  int exit_code = -1;
  const std::string out =
      run_harness("--expect answer --timeout 40 --url 'http://127.0.0.1:" + std::to_string(server.port()) +
                      "/?stream=cam'",
                  exit_code);
  if (exit_code == 77) GTEST_SKIP() << out;
  ASSERT_EQ(exit_code, 0) << out;
  const auto result = nlohmann::json::parse(out.substr(out.find('{')));
  ASSERT_TRUE(result["ok"].get<bool>()) << out;
  const auto& stats = result["pages"][0]["stats"];
  EXPECT_EQ(stats["streams"][0]["name"], "cam") << out;
  EXPECT_EQ(stats["answerStatus"], 201) << out;
  EXPECT_TRUE(stats["answerApplied"].get<bool>()) << out;

  const std::vector<std::string> offers = handler.offers();
  ASSERT_GE(offers.size(), 1u);
  auto offer = sdp::parse_session_description(offers[0]);
  ASSERT_TRUE(offer.ok()) << offer.error().message() << "\n" << offers[0];
  ASSERT_EQ(offer->media.size(), 1u) << "the page asks for video only";
  EXPECT_EQ(offer->media[0].media, "video");
  EXPECT_EQ(sdp::effective_direction(*offer, offer->media[0]), sdp::MediaDirection::kRecvOnly);
  bool has_h264 = false;
  for (const sdp::Codec& codec : offer->media[0].codecs)
    has_h264 = has_h264 || codec.encoding_name == "H264";
  EXPECT_TRUE(has_h264);
  // Kept for refreshing tests/vectors/sdp/chromium-headless-offer.sdp by hand.
  std::ofstream(std::string(PICORTC_BINARY_DIR) + "/chromium-headless-offer.sdp", std::ios::binary)
      << offers[0];

  // Closing the tab DELETEs the session (pagehide, fetch keepalive).
  for (int i = 0; i < 100 && handler.ended() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(handler.ended(), 1u);
  server.stop();
}

TEST(WhepBrowser, ViewerPageRetriesAfter503AndSendsItsToken) {
  std::string why;
  if (!browser_tools_present(why)) GTEST_SKIP() << why;

  StreamInfo cam;
  cam.name = "cam";
  cam.profile_level_id = "42e01f";
  LoopThread loop;
  SdpAnsweringHandler handler({cam}, ViewerLimits{});
  handler.refuse_next_offers(1);
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.token = "page-token";
  WhepServer server(loop.loop(), handler, options);
  ASSERT_TRUE(server.start().ok());

  int exit_code = -1;
  const std::string out =
      run_harness("--expect answer --timeout 40 --url 'http://127.0.0.1:" + std::to_string(server.port()) +
                      "/?stream=cam&token=page-token'",
                  exit_code);
  if (exit_code == 77) GTEST_SKIP() << out;
  ASSERT_EQ(exit_code, 0) << out;
  const auto result = nlohmann::json::parse(out.substr(out.find('{')));
  const auto& stats = result["pages"][0]["stats"];
  EXPECT_GE(stats["reconnects"].get<int>(), 1) << out;
  EXPECT_EQ(stats["answerStatus"], 201) << out;
  EXPECT_EQ(handler.offers().size(), 2u) << "one refused with 503, one answered";
  const HttpCounters http = server.http_counters();
  EXPECT_EQ(http.responses_by_status.count(401), 0u) << "the page sent its token everywhere";
  server.stop();
}

}  // namespace
}  // namespace picortc::signal
