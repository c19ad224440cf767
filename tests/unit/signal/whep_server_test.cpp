// HTTP-level tests of the WHEP server: httplib's client against the real
// server on 127.0.0.1 (any free port), the event loop on its own thread as
// in `serve`, and a handler that negotiates for real with src/sdp.
#include "signal/whep_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../../support/temp_dir.hpp"
#include "sdp/session_description.hpp"
#include "sdp_answering_handler.hpp"
#include "signal/session_id.hpp"
#include "signal/signal_errors.hpp"

namespace picortc::signal {
namespace {

using test::LoopThread;
using test::SdpAnsweringHandler;

std::string read_vector(const std::string& name) {
  std::ifstream file(std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/sdp/" + name, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

StreamInfo stream_named(const std::string& name, const std::string& profile) {
  StreamInfo s;
  s.name = name;
  s.socket_path = "/tmp/" + name + ".sock";
  s.ingest = IngestState::kReceiving;
  s.width = 1280;
  s.height = 720;
  s.fps = 30;
  s.profile_level_id = profile;
  return s;
}

ice::IceServerUrl ice_url(const std::string& text) {
  auto url = ice::parse_ice_server_url(text);
  EXPECT_TRUE(url.ok()) << text;
  return *url;
}

// <turn:relay.example.net:3478?transport=tcp>; rel="ice-server";
//   username="<digits>:viewer"; credential="<27 base64 chars>="; credential-type="password"
// (by hand: std::regex trips GCC 12's -Wmaybe-uninitialized under ASan)
bool is_rest_link(const std::string& link) {
  const std::string head = "<turn:relay.example.net:3478?transport=tcp>; rel=\"ice-server\"; username=\"";
  if (link.rfind(head, 0) != 0) return false;
  size_t pos = head.size();
  const size_t digits_start = pos;
  while (pos < link.size() && std::isdigit(static_cast<unsigned char>(link[pos])))
    ++pos;
  if (pos == digits_start) return false;
  const std::string middle = ":viewer\"; credential=\"";
  if (link.compare(pos, middle.size(), middle) != 0) return false;
  pos += middle.size();
  for (int i = 0; i < 27; ++i, ++pos) {
    if (pos >= link.size()) return false;
    const char c = link[pos];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  }
  return link.substr(pos) == "=\"; credential-type=\"password\"";
}

class WhepServerTest : public ::testing::Test {
 protected:
  void start(WhepServerOptions options = {}, ViewerLimits limits = {}) {
    handler_ = std::make_unique<SdpAnsweringHandler>(
        std::vector<StreamInfo>{stream_named("cam", "42e01f"), stream_named("hi444", "f4001f")}, limits);
    options.bind_address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<WhepServer>(loop_.loop(), *handler_, options);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->stop();
  }

  httplib::Result post_offer(const std::string& path, const std::string& body,
                             const httplib::Headers& headers = {}) {
    return client_->Post(path.c_str(), headers, body, "application/sdp");
  }

  // POSTs the Chrome WHEP offer to /whep/cam and returns the Location.
  std::string create_session(const httplib::Headers& headers = {}) {
    auto res = post_offer("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"), headers);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 201) << res->body;
    return res->get_header_value("Location");
  }

  LoopThread loop_;
  std::unique_ptr<SdpAnsweringHandler> handler_;
  std::unique_ptr<WhepServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WhepServerTest, OfferGets201WithAnswerLocationAndIceServerLinks) {
  WhepServerOptions options;
  options.ice_servers = {ice_url("stun:stun.example.net:3478"),
                         ice_url("turn:alice:s%22cret@turn.example.net")};
  options.turn_rest.urls = {ice_url("turn:x:y@relay.example.net:3478?transport=tcp")};
  options.turn_rest.urls[0].username.clear();
  options.turn_rest.urls[0].password.clear();
  options.turn_rest.secret = "shared";
  options.turn_rest.user = "viewer";
  start(options);

  auto res = post_offer("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/sdp");
  const std::string location = res->get_header_value("Location");
  EXPECT_EQ(location.rfind("/whep/cam/", 0), 0u) << location;
  EXPECT_TRUE(is_session_id(location.substr(location.rfind('/') + 1))) << location;
  EXPECT_FALSE(res->get_header_value("ETag").empty());
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");

  auto answer = sdp::parse_session_description(res->body);
  ASSERT_TRUE(answer.ok()) << answer.error().message();
  ASSERT_EQ(answer->media.size(), 2u);
  EXPECT_EQ(answer->media[0].port, 0) << "audio is rejected";
  EXPECT_EQ(answer->media[1].direction, sdp::MediaDirection::kSendOnly);
  ASSERT_EQ(answer->media[1].candidates.size(), 1u);
  EXPECT_EQ(answer->media[1].candidates[0].address, "127.0.0.1");

  ASSERT_EQ(res->get_header_value_count("Link"), 3u);
  EXPECT_EQ(res->get_header_value("Link", 0), "<stun:stun.example.net:3478>; rel=\"ice-server\"");
  EXPECT_EQ(res->get_header_value("Link", 1),
            "<turn:turn.example.net:3478>; rel=\"ice-server\"; username=\"alice\"; credential=\"s\\\"cret\"; "
            "credential-type=\"password\"");
  EXPECT_TRUE(is_rest_link(res->get_header_value("Link", 2))) << res->get_header_value("Link", 2);
  EXPECT_EQ(handler_->session_count(), 1u);
}

TEST_F(WhepServerTest, PatchWithTrickleFragmentGets204) {
  start();
  const std::string location = create_session();
  ASSERT_FALSE(location.empty());
  const std::string fragment =
      "a=ice-ufrag:Wq9c\r\na=ice-pwd:B7u2Lm0ZkV4rXe1sQnT6yHd3\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
      "a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n"
      "a=candidate:2 1 udp 2122260222 127.0.0.1 40001 typ host\r\na=end-of-candidates\r\n";
  auto res = client_->Patch(location.c_str(), fragment, "application/trickle-ice-sdpfrag");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  EXPECT_EQ(handler_->candidates_of(location.substr(location.rfind('/') + 1)), 2u);
}

TEST_F(WhepServerTest, PatchForAnotherIceSessionGets422) {
  start();
  const std::string location = create_session();
  const std::string fragment =
      "a=ice-ufrag:Other\r\na=ice-pwd:B7u2Lm0ZkV4rXe1sQnT6yHd3\r\nm=audio 9 UDP/TLS/RTP/SAVPF "
      "0\r\na=mid:0\r\n"
      "a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n";
  auto res = client_->Patch(location.c_str(), fragment, "application/trickle-ice-sdpfrag");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find(std::string(kErrFragmentForOtherSession)), std::string::npos) << res->body;
}

TEST_F(WhepServerTest, PatchWithMalformedFragmentGets400) {
  start();
  const std::string location = create_session();
  auto res = client_->Patch(location.c_str(), "a=candidate:garbage\r\n", "application/trickle-ice-sdpfrag");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("sdp: "), std::string::npos) << res->body;
}

TEST_F(WhepServerTest, PatchWithWrongContentTypeGets415) {
  start();
  const std::string location = create_session();
  auto res = client_->Patch(location.c_str(), "a=end-of-candidates\r\n", "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  EXPECT_NE(res->body.find("trickle-ice-sdpfrag"), std::string::npos) << res->body;
}

TEST_F(WhepServerTest, DeleteEndsTheSessionOnce) {
  start();
  const std::string location = create_session();
  auto res = client_->Delete(location.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(handler_->session_count(), 0u);
  EXPECT_EQ(handler_->ended(), 1u);

  auto again = client_->Delete(location.c_str());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);
  auto patch = client_->Patch(location.c_str(), "a=end-of-candidates\r\n", "application/trickle-ice-sdpfrag");
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->status, 404);
}

TEST_F(WhepServerTest, UnknownStreamGets404WithReason) {
  start();
  auto res = post_offer("/whep/nosuch", read_vector("chrome_whep_recvonly_offer.sdp"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find(std::string(kErrUnknownStream)), std::string::npos) << res->body;
  EXPECT_EQ(handler_->session_count(), 0u);
}

TEST_F(WhepServerTest, UnknownSessionGets404) {
  start();
  auto wellformed = client_->Delete("/whep/cam/0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(wellformed);
  EXPECT_EQ(wellformed->status, 404);
  auto junk = client_->Delete("/whep/cam/not-a-session");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->status, 404);
  // A real session id under the wrong stream is not found either.
  const std::string location = create_session();
  const std::string id = location.substr(location.rfind('/') + 1);
  auto other_stream = client_->Delete(("/whep/hi444/" + id).c_str());
  ASSERT_TRUE(other_stream);
  EXPECT_EQ(other_stream->status, 404);
  EXPECT_EQ(handler_->session_count(), 1u);
}

TEST_F(WhepServerTest, UnknownPathGets404WithReason) {
  start();
  auto res = client_->Get("/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find(std::string(kErrNotFound)), std::string::npos);
}

TEST_F(WhepServerTest, BearerTokenIsRequiredWhenConfigured) {
  WhepServerOptions options;
  options.token = "s3cret-token";
  start(options);
  const std::string offer = read_vector("chrome_whep_recvonly_offer.sdp");

  auto none = post_offer("/whep/cam", offer);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"picortc\"");
  EXPECT_NE(none->body.find(std::string(kErrUnauthorized)), std::string::npos);

  auto wrong = post_offer("/whep/cam", offer, {{"Authorization", "Bearer s3cret-tokeN"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto prefix = post_offer("/whep/cam", offer, {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 401);
  auto basic = post_offer("/whep/cam", offer, {{"Authorization", "Basic czNjcmV0LXRva2Vu"}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  EXPECT_EQ(handler_->session_count(), 0u);

  auto right = post_offer("/whep/cam", offer, {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 201);
  const std::string location = right->get_header_value("Location");

  auto delete_without = client_->Delete(location.c_str());
  ASSERT_TRUE(delete_without);
  EXPECT_EQ(delete_without->status, 401);
  auto api_without = client_->Get("/api/streams");
  ASSERT_TRUE(api_without);
  EXPECT_EQ(api_without->status, 401);
  auto metrics_without = client_->Get("/metrics");
  ASSERT_TRUE(metrics_without);
  EXPECT_EQ(metrics_without->status, 401);
  // The page itself is public: it asks for the token (?token=) itself.
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  auto delete_with = client_->Delete(location.c_str(), {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(delete_with);
  EXPECT_EQ(delete_with->status, 200);
}

TEST_F(WhepServerTest, BodyOverTheLimitGets413WithReason) {
  WhepServerOptions options;
  options.max_body_bytes = 4096;
  start(options);
  std::string offer = read_vector("chrome_whep_recvonly_offer.sdp");
  ASSERT_GT(offer.size(), 4096u);
  auto res = post_offer("/whep/cam", offer);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find(std::string(kErrBodyTooLarge)), std::string::npos) << res->body;
  EXPECT_TRUE(handler_->offers().empty()) << "the handler never saw it";
}

TEST_F(WhepServerTest, WrongContentTypeGets415) {
  start();
  auto res = client_->Post("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  EXPECT_NE(res->body.find("application/json"), std::string::npos) << res->body;
  // Parameters and case of the media type do not matter.
  auto with_charset = client_->Post("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"),
                                    "Application/SDP; charset=utf-8");
  ASSERT_TRUE(with_charset);
  EXPECT_EQ(with_charset->status, 201) << with_charset->body;
}

TEST_F(WhepServerTest, MalformedOfferGets400NamingTheLine) {
  start();
  std::string offer = read_vector("chrome_whep_recvonly_offer.sdp");
  const size_t t_line = offer.find("t=0 0");
  ASSERT_NE(t_line, std::string::npos);
  offer.replace(t_line, 5, "t=zero");
  auto res = post_offer("/whep/cam", offer);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("line 4"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find(std::string(sdp::kErrBadTiming)), std::string::npos) << res->body;
}

TEST_F(WhepServerTest, OfferThatCannotTakeTheStreamsProfileGets406) {
  start();
  auto res = post_offer("/whep/hi444", read_vector("chrome_whep_recvonly_offer.sdp"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 406);
  EXPECT_NE(res->body.find("H.264"), std::string::npos) << res->body;
  EXPECT_EQ(handler_->session_count(), 0u);
  // The refused offer took no viewer slot.
  auto streams = nlohmann::json::parse(client_->Get("/api/streams")->body);
  EXPECT_EQ(streams[1]["viewers"], 0);
}

TEST_F(WhepServerTest, OverTheViewerLimitGets503WithRetryAfter) {
  ViewerLimits limits;
  limits.max_viewers_per_stream = 2;
  start({}, limits);
  const std::string first = create_session();
  const std::string second = create_session();
  ASSERT_FALSE(second.empty());
  auto third = post_offer("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  EXPECT_FALSE(third->get_header_value("Retry-After").empty());
  EXPECT_NE(third->body.find(std::string(kErrViewerLimit)), std::string::npos) << third->body;
  ASSERT_EQ(client_->Delete(first.c_str())->status, 200);
  EXPECT_FALSE(create_session().empty()) << "a freed slot is usable again";
}

TEST_F(WhepServerTest, CorsPreflightAllowsCrossOriginWhep) {
  start();
  auto res =
      client_->Options("/whep/cam", {{"Origin", "https://elsewhere.example"},
                                     {"Access-Control-Request-Method", "POST"},
                                     {"Access-Control-Request-Headers", "authorization, content-type"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  const std::string methods = res->get_header_value("Access-Control-Allow-Methods");
  for (const char* method : {"POST", "PATCH", "DELETE"})
    EXPECT_NE(methods.find(method), std::string::npos) << methods;
  const std::string headers = res->get_header_value("Access-Control-Allow-Headers");
  EXPECT_NE(headers.find("Authorization"), std::string::npos);
  EXPECT_NE(headers.find("Content-Type"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Accept-Post"), "application/sdp");

  // The actual response exposes the WHEP headers to the page's script.
  auto post = post_offer("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"),
                         {{"Origin", "https://elsewhere.example"}});
  ASSERT_TRUE(post);
  const std::string exposed = post->get_header_value("Access-Control-Expose-Headers");
  EXPECT_NE(exposed.find("Location"), std::string::npos);
  EXPECT_NE(exposed.find("Link"), std::string::npos);
}

TEST_F(WhepServerTest, ConfiguredCorsOriginIsSent) {
  WhepServerOptions options;
  options.cors_origin = "https://viewer.example";
  start(options);
  auto res = client_->Options("/whep/cam");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "https://viewer.example");
  EXPECT_EQ(res->get_header_value("Vary"), "Origin");
}

TEST_F(WhepServerTest, ApiListsStreamsAndSessionsWithoutSecrets) {
  start();
  const std::string location = create_session();
  const std::string id = location.substr(location.rfind('/') + 1);

  auto streams_res = client_->Get("/api/streams");
  ASSERT_TRUE(streams_res);
  EXPECT_EQ(streams_res->status, 200);
  EXPECT_EQ(streams_res->get_header_value("Content-Type"), "application/json");
  auto streams = nlohmann::json::parse(streams_res->body);
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0]["name"], "cam");
  EXPECT_EQ(streams[0]["ingest"], "receiving");
  EXPECT_EQ(streams[0]["width"], 1280);
  EXPECT_EQ(streams[0]["height"], 720);
  EXPECT_EQ(streams[0]["viewers"], 1);

  auto sessions_res = client_->Get("/api/sessions");
  ASSERT_TRUE(sessions_res);
  auto sessions = nlohmann::json::parse(sessions_res->body);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["stream"], "cam");
  EXPECT_EQ(sessions[0]["id"], id.substr(0, 8));
  EXPECT_TRUE(sessions[0]["rtt_ms"].is_null());
  EXPECT_TRUE(sessions[0]["estimate_bps"].is_null()) << "no REMB yet";
  EXPECT_EQ(sessions[0]["packets_lost"], 0);
  EXPECT_EQ(sessions_res->body.find(id), std::string::npos) << "the full id is a capability";
}

TEST_F(WhepServerTest, MetricsArePrometheusText) {
  start();
  create_session();
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(res->body.find("# TYPE picortc_viewers gauge\n"), std::string::npos);
  EXPECT_NE(res->body.find("picortc_viewers{stream=\"cam\"} 1\n"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("picortc_ingest_state{stream=\"cam\",state=\"receiving\"} 1\n"),
            std::string::npos);
  // httplib counts a response after writing it, and each request here has
  // its own connection (and worker): the POST may not be counted yet.
  const std::string counted = "picortc_http_responses_total{code=\"201\"} 1\n";
  for (int i = 0; i < 100 && res && res->body.find(counted) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    res = client_->Get("/metrics");
  }
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find(counted), std::string::npos) << res->body;
}

TEST_F(WhepServerTest, ServesTheEmbeddedViewerPage) {
  start();
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<video id=\"video\" muted autoplay playsinline>"), std::string::npos);
  auto script = client_->Get("/viewer.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_NE(script->body.find("window.picortcStats"), std::string::npos);
  auto css = client_->Get("/viewer.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

TEST(WhepServerOptionsFromConfig, CarriesEveryServerSetting) {
  auto config = parse_serve_config(
      "stream = cam=/tmp/c.sock\nhttp = 127.0.0.1:9443\ntoken = t\ncors_origin = https://a.example\n"
      "http_threads = 3\nmax_pending_sessions = 2\nturn_rest_url = turn:r.example\nturn_rest_secret = s\n",
      "test.conf");
  ASSERT_TRUE(config.ok()) << config.error().message();
  const WhepServerOptions options = whep_server_options(*config);
  EXPECT_EQ(options.bind_address, "127.0.0.1");
  EXPECT_EQ(options.port, 9443);
  EXPECT_EQ(options.token, "t");
  EXPECT_EQ(options.cors_origin, "https://a.example");
  EXPECT_EQ(options.http_threads, 3u);
  EXPECT_EQ(options.max_waiting_requests, 10u);
  ASSERT_EQ(options.ice_servers.size(), 1u) << "the default STUN server";
  EXPECT_EQ(options.ice_servers[0].host, "stun.l.google.com");
  EXPECT_TRUE(options.turn_rest.enabled());
}

TEST(WhepServerLoop, LoopThatDoesNotAnswerGives503) {
  EventLoop idle_loop;  // never run: posted work waits forever
  SdpAnsweringHandler handler({stream_named("cam", "42e01f")}, ViewerLimits{});
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.loop_timeout = milliseconds(200);
  WhepServer server(idle_loop, handler, options);
  ASSERT_TRUE(server.start().ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(10, 0);
  auto res = client.Post("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"), "application/sdp");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find(std::string(kErrLoopTimeout)), std::string::npos) << res->body;
  server.stop();
  // The abandoned call must not reach the handler when the loop runs later.
  idle_loop.run_once(milliseconds(0));
  EXPECT_EQ(handler.session_count(), 0u);
}

TEST(WhepServerListen, PortInUseIsAnError) {
  LoopThread loop;
  SdpAnsweringHandler handler({}, ViewerLimits{});
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  WhepServer first(loop.loop(), handler, options);
  ASSERT_TRUE(first.start().ok());
  options.port = first.port();
  WhepServer second(loop.loop(), handler, options);
  Status status = second.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrListen);
}

class WhepServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl command";
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -keyout " +
        dir_.file("key.pem") + " -out " + dir_.file("cert.pem") + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  picortc::test::TempDir dir_;
};

TEST_F(WhepServerTlsTest, ServesWhepOverHttps) {
  LoopThread loop;
  SdpAnsweringHandler handler({stream_named("cam", "42e01f")}, ViewerLimits{});
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.tls_cert_file = dir_.file("cert.pem");
  options.tls_key_file = dir_.file("key.pem");
  WhepServer server(loop.loop(), handler, options);
  Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error().message();
  EXPECT_TRUE(server.tls());
  httplib::SSLClient client("127.0.0.1", server.port());
  client.enable_server_certificate_verification(false);
  client.set_read_timeout(10, 0);
  auto res = client.Post("/whep/cam", read_vector("chrome_whep_recvonly_offer.sdp"), "application/sdp");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 201);
  // Plain HTTP to the HTTPS port gets nowhere.
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(2, 0);
  auto plain_res = plain.Get("/api/streams");
  EXPECT_TRUE(!plain_res || plain_res->status != 200);
  server.stop();
}

TEST_F(WhepServerTlsTest, UnreadableCertificateIsAnError) {
  LoopThread loop;
  SdpAnsweringHandler handler({}, ViewerLimits{});
  WhepServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.tls_cert_file = dir_.file("missing.pem");
  options.tls_key_file = dir_.file("key.pem");
  WhepServer server(loop.loop(), handler, options);
  Status status = server.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrTlsSetup);
  // A key that does not belong to the certificate is refused too.
  ASSERT_EQ(std::system(("openssl ecparam -name prime256v1 -genkey -noout -out " + dir_.file("other.pem") +
                         " >/dev/null 2>&1")
                            .c_str()),
            0);
  options.tls_cert_file = dir_.file("cert.pem");
  options.tls_key_file = dir_.file("other.pem");
  WhepServer mismatched(loop.loop(), handler, options);
  Status mismatch = mismatched.start();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, kErrTlsSetup);
}

}  // namespace
}  // namespace picortc::signal
