// serve -> view on loopback with the real binaries: `picortc serve`, fed by
// `picortc feed` with an ffmpeg clip, watched by `picortc view`. What view
// writes must be a run (or, across a sender restart, runs) of the clip's
// access units, byte-identical, each run starting at an IDR with SPS/PPS,
// and must decode without a single ffmpeg error.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/event_loop.hpp"
#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_server.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"
#include "unit/ice/ice_test_support.hpp"

namespace picortc::viewer {
namespace {

using picortc::test::free_tcp_port;

void sleep_for(Duration d) {
  usleep(static_cast<useconds_t>(std::chrono::duration_cast<microseconds>(d).count()));
}

// How the output relates to the looping clip.
struct RunCheck {
  bool ok = true;
  std::string problem;
  size_t runs = 0;
  size_t frames = 0;
  size_t missing = 0;  // clip frames skipped inside the output (gaps that restarted at an IDR)
};

RunCheck check_runs(const std::vector<h264::AccessUnit>& out, const std::vector<h264::AccessUnit>& clip) {
  RunCheck check;
  check.frames = out.size();
  size_t index = clip.size();
  for (size_t i = 0; i < out.size(); ++i) {
    if (index < clip.size() && out[i] == clip[(index + 1) % clip.size()]) {
      index = (index + 1) % clip.size();
      continue;
    }
    // Not the next one: only a keyframe with SPS/PPS may start a new run.
    if (!out[i].is_keyframe() || !out[i].has_nal_type(h264::kNalSps) || !out[i].has_nal_type(h264::kNalPps)) {
      check.ok = false;
      check.problem = "access unit " + std::to_string(i) + " breaks the run and is not an IDR with SPS/PPS";
      return check;
    }
    size_t found = clip.size();
    for (size_t k = 0; k < clip.size(); ++k) {
      if (clip[k] == out[i]) found = k;
    }
    if (found == clip.size()) {
      check.ok = false;
      check.problem = "access unit " + std::to_string(i) + " is not one of the clip's";
      return check;
    }
    if (index < clip.size()) check.missing += (found + clip.size() - index - 1) % clip.size();
    index = found;
    ++check.runs;
  }
  return check;
}

// ffmpeg's complaints about the file ("" when it decodes cleanly).
std::string ffmpeg_errors(const std::string& path) {
  std::string errors_file = path + ".ffmpeg.txt";
  std::string command = "ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>'" + errors_file + "'";
  int status = std::system(command.c_str());
  std::ifstream in(errors_file);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  if (status != 0 && out.empty()) out = "ffmpeg exit status " + std::to_string(status);
  return out;
}

class ViewE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clip_ = test::ffmpeg_h264_clip("whep_cbp_360p_gop30",
                                   "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 90 -c:v libx264 "
                                   "-profile:v baseline -preset veryfast -g 30 -pix_fmt yuv420p");
    if (clip_.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the clip";
    clip_aus_ = h264::split_access_units(BytesView(test::read_file_bytes(clip_)));
    ASSERT_EQ(clip_aus_.size(), 90u);
    port_ = free_tcp_port();
    socket_path_ = dir_.file("cam.sock");
  }

  // `ip netns exec` is a host program: it execs what follows itself, so in a
  // cross build it must exec the emulator, not our ARM binary (command_for).
  std::vector<std::string> in_namespace(const std::vector<std::string>& argv) const {
    if (netns_.empty()) return argv;
    std::vector<std::string> wrapped = {"ip", "netns", "exec", netns_};
    const std::vector<std::string> command = test::command_for(argv);
    wrapped.insert(wrapped.end(), command.begin(), command.end());
    return wrapped;
  }

  // extra: more serve options (--tls-cert/--tls-key, --token).
  std::unique_ptr<test::ChildProcess> start_serve(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {test::built_binary("apps/picortc/picortc"),
                                     "--log-level",
                                     "warn",
                                     "serve",
                                     "--stream",
                                     "cam=" + socket_path_,
                                     "--http",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--ice-server",
                                     "none"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto serve = std::make_unique<test::ChildProcess>(in_namespace(argv));
    EXPECT_TRUE(serve->started());
    return serve;
  }

  std::unique_ptr<test::ChildProcess> start_feed() {
    auto feed = std::make_unique<test::ChildProcess>(in_namespace(
        {test::built_binary("apps/picortc/picortc"), "--log-level", "warn", "feed", clip_, "--socket",
         socket_path_, "--fps", "30", "--loop", "--duration", "120", "--ignore-keyframe-requests"}));
    EXPECT_TRUE(feed->started());
    return feed;
  }

  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + "/whep/cam";
  }

  std::unique_ptr<test::ChildProcess> start_view(const std::vector<std::string>& extra) {
    return start_view_at(url(), "stats.json", extra);
  }

  // view of `view_url` writing its statistics to dir_/stats_name; without an
  // --ice-server in `extra`, none (host candidates only).
  std::unique_ptr<test::ChildProcess> start_view_at(const std::string& view_url,
                                                    const std::string& stats_name,
                                                    const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {test::built_binary("apps/picortc/picortc"), "view", view_url,
                                     "--stats-json", dir_.file(stats_name)};
    if (std::find(extra.begin(), extra.end(), "--ice-server") == extra.end()) {
      argv.push_back("--ice-server");
      argv.push_back("none");
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto view = std::make_unique<test::ChildProcess>(in_namespace(argv));
    EXPECT_TRUE(view->started());
    return view;
  }

  std::string stats_json(const std::string& name = "stats.json") const { return read_text(dir_.file(name)); }

  static std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // `picortc view` that must give up: its exit code and what it printed on
  // stderr (sh only redirects, then becomes view; killed after `limit`).
  std::pair<int, std::string> failing_view(const std::vector<std::string>& options, Duration limit) {
    std::vector<std::string> argv = {test::built_binary("apps/picortc/picortc"), "view"};
    argv.insert(argv.end(), options.begin(), options.end());
    std::string command = "exec";
    for (const std::string& word : test::command_for(argv))  // the emulator of a cross build too
      command += " '" + word + "'";
    const std::string errors = dir_.file("view-stderr.txt");
    command += " 2>'" + errors + "'";
    test::ChildProcess view({"/bin/sh", "-c", command});
    if (!view.wait_exit(nullptr, limit)) return {-1, "still running after the limit: " + read_text(errors)};
    return {view.exit_code(), read_text(errors)};
  }

  // GET on serve (curl): the body, or "" when the request failed.
  std::string serve_get(const std::string& path, const std::string& token = "") const {
    const std::string body_file = dir_.file("get.txt");
    std::remove(body_file.c_str());
    std::string command = "curl -s -f --max-time 5 -o '" + body_file + "'";
    if (!token.empty()) command += " -H 'Authorization: Bearer " + token + "'";
    command += " 'http://127.0.0.1:" + std::to_string(port_) + path + "'";
    if (std::system(command.c_str()) != 0) return "";
    return read_text(body_file);
  }

  // serve's /api/sessions, parsed (an empty array when unreachable).
  nlohmann::json serve_sessions(const std::string& token = "") const {
    nlohmann::json sessions = nlohmann::json::parse(serve_get("/api/sessions", token), nullptr, false);
    return sessions.is_array() ? sessions : nlohmann::json::array();
  }

  // Self-signed certificate for 127.0.0.1 (openssl CLI): {cert, key}, or
  // empty strings when openssl is missing.
  std::pair<std::string, std::string> make_certificate() const {
    const std::string cert = dir_.file("cert.pem"), key = dir_.file("key.pem");
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
        "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key + "' -out '" + cert + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return {};
    return {cert, key};
  }

  // What view wrote must be one run of the clip's access units, whole and
  // in order, starting at an IDR with SPS/PPS.
  void expect_one_clean_run(const std::string& out, const std::string& stats_name) {
    auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
    ASSERT_GE(aus.size(), 30u) << stats_json(stats_name);
    RunCheck check = check_runs(aus, clip_aus_);
    EXPECT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.runs, 1u);
    EXPECT_EQ(check.missing, 0u);
  }

  test::TempDir dir_;
  std::string clip_;
  std::vector<h264::AccessUnit> clip_aus_;
  uint16_t port_ = 0;
  std::string socket_path_;
  std::string netns_;
};

TEST_F(ViewE2eTest, EveryAccessUnitArrivesByteIdenticalAndInOrderAndDecodes) {
  auto serve = start_serve();
  auto feed = start_feed();
  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--duration", "6"});
  sleep_for(seconds(3));
  view->signal(SIGUSR1);  // a statistics line, not the end
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(40))) << "view did not stop after --duration";
  EXPECT_EQ(view->exit_code(), 0);
  auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
  ASSERT_GE(aus.size(), 60u) << stats_json();
  RunCheck check = check_runs(aus, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.runs, 1u);
  EXPECT_EQ(check.missing, 0u);
  EXPECT_EQ(ffmpeg_errors(out), "");
  std::string stats = stats_json();
  EXPECT_NE(stats.find("\"local_type\": \"host\""), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"frames_written\": " + std::to_string(aus.size())), std::string::npos) << stats;
}

TEST_F(ViewE2eTest, SenderRestartResumesWithAnIdrAndTheWholeFileDecodes) {
  auto serve = start_serve();
  auto feed = start_feed();
  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--duration", "14"});
  sleep_for(seconds(4));
  serve.reset();  // SIGKILL: no BYE, no DELETE answer
  sleep_for(seconds(1));
  serve = start_serve();
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(60)));
  EXPECT_EQ(view->exit_code(), 0);
  auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
  RunCheck check = check_runs(aus, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_GE(check.runs, 2u) << "no second run after the restart: " << stats_json();
  EXPECT_EQ(ffmpeg_errors(out), "");
  EXPECT_NE(stats_json().find("\"reconnects\": "), std::string::npos);
}

TEST_F(ViewE2eTest, FramedOutputFeedsAnIngestServerByteIdentical) {
  auto serve = start_serve();
  auto feed = start_feed();
  EventLoop loop;
  ipc::IngestServerConfig config;
  config.socket_path = dir_.file("relay.sock");
  ipc::IngestServer relay(loop, config);
  std::vector<h264::AccessUnit> received;
  size_t keyframe_flags = 0;
  relay.set_access_unit_callback([&](h264::AccessUnit&& au) { received.push_back(std::move(au)); });
  ASSERT_TRUE(relay.start().ok());
  auto view = start_view({"--out", "unix:" + config.socket_path, "--framed", "--duration", "6"});
  TimePoint end = Clock::now() + seconds(40);
  while (!view->poll_exit() && Clock::now() < end)
    loop.run_once(milliseconds(10));
  loop.run_for(milliseconds(200));
  ASSERT_TRUE(view->poll_exit());
  EXPECT_EQ(view->exit_code(), 0);
  for (const auto& au : received)
    keyframe_flags += au.is_keyframe() ? 1 : 0;
  ASSERT_GE(received.size(), 60u);
  RunCheck check = check_runs(received, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.runs, 1u);
  EXPECT_GE(keyframe_flags, 2u);
  relay.stop();
}

TEST_F(ViewE2eTest, BadUsageExitsTwoAndUnknownStreamExitsOne) {
  test::ChildProcess bad_url({test::built_binary("apps/picortc/picortc"), "view", "ftp://x/whep/cam"});
  ASSERT_TRUE(bad_url.wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(bad_url.exit_code(), 2);
  test::ChildProcess bad_out(
      {test::built_binary("apps/picortc/picortc"), "view", "http://127.0.0.1:1/whep/cam", "--out", "unix:"});
  ASSERT_TRUE(bad_out.wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(bad_out.exit_code(), 2);

  auto serve = start_serve();
  test::ChildProcess missing({test::built_binary("apps/picortc/picortc"), "view",
                              "http://127.0.0.1:" + std::to_string(port_) + "/whep/nosuchstream",
                              "--ice-server", "none", "--out", dir_.file("none.h264"), "--duration", "30"});
  ASSERT_TRUE(missing.wait_exit(nullptr, seconds(25))) << "a 404 must not be retried forever";
  EXPECT_EQ(missing.exit_code(), 1);
}

// https with a self-signed certificate: trusted through --ca-file, or not
// checked with --insecure; both viewers get the clip whole and in order.
TEST_F(ViewE2eTest, HttpsWithCaFileAndWithInsecureDeliversEveryAccessUnit) {
  const auto [cert, key] = make_certificate();
  if (cert.empty()) GTEST_SKIP() << "openssl CLI needed for the certificate";
  auto serve = start_serve({"--tls-cert", cert, "--tls-key", key});
  auto feed = start_feed();
  const std::string trusted_out = dir_.file("trusted.h264"), insecure_out = dir_.file("insecure.h264");
  auto trusted = start_view_at(url("https"), "trusted.json",
                               {"--out", trusted_out, "--duration", "5", "--ca-file", cert});
  auto insecure =
      start_view_at(url("https"), "insecure.json", {"--out", insecure_out, "--duration", "5", "--insecure"});
  ASSERT_TRUE(trusted->wait_exit(nullptr, seconds(30)));
  ASSERT_TRUE(insecure->wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(trusted->exit_code(), 0);
  EXPECT_EQ(insecure->exit_code(), 0);
  expect_one_clean_run(trusted_out, "trusted.json");
  expect_one_clean_run(insecure_out, "insecure.json");
}

// The same server without --ca-file or --insecure: the certificate is not
// trusted, which asking again cannot change: exit 1 at once, saying why.
TEST_F(ViewE2eTest, HttpsWithAnUntrustedCertificateExitsOneSayingWhy) {
  const auto [cert, key] = make_certificate();
  if (cert.empty()) GTEST_SKIP() << "openssl CLI needed for the certificate";
  auto serve = start_serve({"--tls-cert", cert, "--tls-key", key});
  const auto [code, errors] = failing_view(
      {url("https"), "--ice-server", "none", "--out", dir_.file("none.h264"), "--duration", "30"},
      seconds(20));
  EXPECT_EQ(code, 1) << errors;
  EXPECT_NE(errors.find("certificate"), std::string::npos) << errors;
  EXPECT_NE(errors.find("--ca-file"), std::string::npos) << errors;
}

// serve with a token: view without it is refused (401, exit 1, not retried);
// with it, view receives, and on SIGTERM DELETEs its session, so serve's
// /api/sessions no longer lists it.
TEST_F(ViewE2eTest, BearerTokenIsRequiredAndTheSessionIsDeletedOnExit) {
  const std::string token = "s3cret-token";
  auto serve = start_serve({"--token", token});
  auto feed = start_feed();
  const auto [code, errors] = failing_view(
      {url(), "--ice-server", "none", "--out", dir_.file("none.h264"), "--duration", "30"}, seconds(20));
  EXPECT_EQ(code, 1) << errors;
  EXPECT_NE(errors.find("401"), std::string::npos) << errors;

  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--token", token});
  // Connected, and media has been written for a while (bounded waits).
  bool listed = false;
  for (TimePoint end = Clock::now() + seconds(20); !listed && Clock::now() < end && !view->poll_exit();) {
    nlohmann::json sessions = serve_sessions(token);
    listed = sessions.size() == 1 && sessions[0].value("state", "") == "connected";
    if (!listed) sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(listed) << "serve never listed view's session as connected";
  for (TimePoint end = Clock::now() + seconds(15);
       h264::split_access_units(BytesView(test::read_file_bytes(out))).size() < 45 && Clock::now() < end;)
    sleep_for(milliseconds(200));
  view->signal(SIGTERM);
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(view->exit_code(), 0);
  // The DELETE was made before view exited; allow serve a moment anyway.
  bool gone = false;
  for (TimePoint end = Clock::now() + seconds(5); !gone && Clock::now() < end;) {
    gone = serve_get("/api/sessions", token) == "[]" || serve_sessions(token).empty();
    if (!gone) sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(gone) << serve_get("/api/sessions", token);
  expect_one_clean_run(out, "stats.json");
}

// A TURN server (coturn, started here) gives view a relayed candidate after
// its offer has gone: it travels by PATCH (RFC 8840), serve answers 204
// (the session took the candidates), and the stream still arrives whole.
TEST_F(ViewE2eTest, TrickledCandidatesTravelByPatchAndServeAcceptsThem) {
  if (!ice::testing::turnserver_installed()) GTEST_SKIP() << "coturn (turnserver) not installed";
  ice::testing::Coturn coturn;
  ASSERT_TRUE(coturn.start(
      {"--lt-cred-mech", "--user=alice:s3cret", "--realm=picortc.test", "--allow-loopback-peers"}));
  auto serve = start_serve();
  auto feed = start_feed();
  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--duration", "5", "--ice-server",
                          "turn:alice:s3cret@127.0.0.1:" + std::to_string(coturn.port())});
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(30)));
  EXPECT_EQ(view->exit_code(), 0);
  nlohmann::json stats = nlohmann::json::parse(stats_json(), nullptr, false);
  ASSERT_TRUE(stats.is_object()) << stats_json();
  EXPECT_GE(stats.value("trickle_patches_sent", 0), 1) << stats.dump();
  EXPECT_EQ(stats.value("trickle_patches_accepted", 0), stats.value("trickle_patches_sent", -1))
      << stats.dump();
  EXPECT_GE(stats.value("trickle_candidates_sent", 0), 1) << stats.dump();
  // serve's side: PATCH is the only request here answered 204.
  const std::string metrics = serve_get("/metrics");
  const std::string patch_line = "picortc_http_responses_total{code=\"204\"} ";
  const size_t at = metrics.find(patch_line);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_EQ(std::stoll(metrics.substr(at + patch_line.size())), stats.value("trickle_patches_accepted", -1))
      << metrics;
  expect_one_clean_run(out, "stats.json");
}

// 10 % of the UDP datagrams dropped at random, both directions, inside a
// network namespace of our own (iptables statistic; needs root and ip).
TEST_F(ViewE2eTest, TenPercentLossStillDecodesCleanlyWithNinetyNinePercentOfFrames) {
  if (geteuid() != 0 || std::system("command -v ip >/dev/null && command -v iptables >/dev/null") != 0)
    GTEST_SKIP() << "needs root, ip and iptables";
  netns_ = "picortc-view-" + std::to_string(getpid());
  std::string setup =
      "ip netns add " + netns_ + " && ip netns exec " + netns_ + " ip link set lo up && ip netns exec " +
      netns_ +
      " iptables -A INPUT -p udp -m statistic --mode random --probability 0.1 -j DROP && ip netns exec " +
      netns_ + " ip6tables -A INPUT -p udp -m statistic --mode random --probability 0.1 -j DROP";
  if (std::system(setup.c_str()) != 0) {
    std::system(("ip netns del " + netns_ + " 2>/dev/null").c_str());
    GTEST_SKIP() << "cannot make a network namespace with iptables here";
  }
  struct NamespaceGuard {
    std::string name;
    ~NamespaceGuard() { std::system(("ip netns del " + name).c_str()); }
  } guard{netns_};
  {
    auto serve = start_serve();
    auto feed = start_feed();
    const std::string out = dir_.file("lossy.h264");
    auto view = start_view({"--out", out, "--duration", "20"});
    ASSERT_TRUE(view->wait_exit(nullptr, seconds(60)));
    EXPECT_EQ(view->exit_code(), 0);
    auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
    RunCheck check = check_runs(aus, clip_aus_);
    std::string stats = stats_json();
    std::printf("10%% loss: %zu frames written, %zu missing inside the output, %zu runs\n%s", check.frames,
                check.missing, check.runs, stats.c_str());
    EXPECT_TRUE(check.ok) << check.problem;
    // The loss was real and NACK repaired it.
    EXPECT_EQ(stats.find("\"nacks_sent\": 0,"), std::string::npos) << stats;
    ASSERT_GE(aus.size(), 300u) << stats;
    EXPECT_GE(static_cast<double>(check.frames), 0.99 * static_cast<double>(check.frames + check.missing))
        << stats;
    // Against what the sender sent in the session (delivered + given up),
    // the frames skipped before the first keyframe included.
    nlohmann::json j = nlohmann::json::parse(stats);
    const double sent = j["access_units_received"].get<double>() + j["access_units_lost"].get<double>();
    EXPECT_GE(j["frames_written"].get<double>(), 0.99 * sent) << stats;
    EXPECT_EQ(ffmpeg_errors(out), "");
  }
}

}  // namespace
}  // namespace picortc::viewer
