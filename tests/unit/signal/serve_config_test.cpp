#include "signal/serve_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "../../support/temp_dir.hpp"

namespace picortc::signal {
namespace {

Result<ServeConfig> parse(const std::string& text) {
  return parse_serve_config(text, "serve.conf");
}

TEST(ServeConfig, FullFile) {
  auto config = parse(R"(# picortc serve
stream = cam=/run/picortc/cam.sock
stream = door = /run/picortc/door.sock
http = 127.0.0.1:8443
token = abc123
ice_server = stun:stun.example.net
ice_server = turn:user:pass@turn.example.net:3478?transport=tcp
turn_rest_url = turns:relay.example.net
turn_rest_secret = coturn-secret
turn_rest_user = board7
turn_rest_ttl = 3600
max_viewers = 20
max_viewers_per_stream = 8
max_pending_sessions = 3
session_idle_timeout = 15
gop_cache_size = 2M
retransmission_buffer_size = 512K
log_level = debug
cors_origin = https://example.com
http_threads = 2
adapt_bitrate = off
min_bitrate = 200
max_bitrate = 3000

; also a comment
)");
  ASSERT_TRUE(config.ok()) << config.error().message();
  ASSERT_EQ(config->streams.size(), 2u);
  EXPECT_EQ(config->streams[0].name, "cam");
  EXPECT_EQ(config->streams[0].socket_path, "/run/picortc/cam.sock");
  EXPECT_EQ(config->streams[1].name, "door");
  EXPECT_EQ(config->streams[1].socket_path, "/run/picortc/door.sock");
  EXPECT_EQ(config->http_address, "127.0.0.1");
  EXPECT_EQ(config->http_port, 8443);
  EXPECT_EQ(config->token, "abc123");
  ASSERT_TRUE(config->ice_servers.has_value());
  ASSERT_EQ(config->ice_servers->size(), 2u);
  EXPECT_EQ((*config->ice_servers)[1].username, "user");
  ASSERT_EQ(config->turn_rest.urls.size(), 1u);
  EXPECT_EQ(config->turn_rest.urls[0].host, "relay.example.net");
  EXPECT_EQ(config->turn_rest.urls[0].scheme, ice::IceServerScheme::kTurns);
  EXPECT_TRUE(config->turn_rest.urls[0].username.empty());
  EXPECT_EQ(config->turn_rest.secret, "coturn-secret");
  EXPECT_EQ(config->turn_rest.user, "board7");
  EXPECT_EQ(config->turn_rest.ttl_seconds, 3600);
  EXPECT_EQ(config->limits.max_viewers_total, 20u);
  EXPECT_EQ(config->limits.max_viewers_per_stream, 8u);
  EXPECT_EQ(config->limits.max_pending_sessions, 3u);
  EXPECT_EQ(config->session_idle_timeout_seconds, 15u);
  EXPECT_EQ(config->gop_cache_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(config->retransmission_store_bytes, 512u * 1024);
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->cors_origin, "https://example.com");
  EXPECT_EQ(config->http_threads, 2u);
  EXPECT_FALSE(config->adapt_bitrate);
  EXPECT_EQ(config->min_bitrate_kbps, 200u);
  EXPECT_EQ(config->max_bitrate_kbps, 3000u);
  EXPECT_TRUE(validate_serve_config(*config).ok());
}

TEST(ServeConfig, BitrateAdaptationIsOnWithAFloorAndNoCapByDefault) {
  auto config = parse("stream = cam=/tmp/cam.sock\n");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->adapt_bitrate);
  EXPECT_EQ(config->min_bitrate_kbps, 150u);
  EXPECT_EQ(config->max_bitrate_kbps, 0u);
  auto on = parse("stream = cam=/tmp/cam.sock\nadapt_bitrate = on\nmax_bitrate = 0\n");
  ASSERT_TRUE(on.ok()) << on.error().message();
  EXPECT_TRUE(on->adapt_bitrate);
  EXPECT_EQ(on->max_bitrate_kbps, 0u);
}

TEST(ServeConfig, DefaultsUseThePublicStunServer) {
  auto config = parse("stream = cam=/tmp/cam.sock\n");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->http_port, 8080);
  EXPECT_EQ(config->http_address, "0.0.0.0");
  const auto servers = config->effective_ice_servers();
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].host, "stun.l.google.com");
  EXPECT_EQ(servers[0].port, 19302);
}

TEST(ServeConfig, IceServerNoneTurnsTheDefaultOff) {
  auto config = parse("stream = cam=/tmp/cam.sock\nice_server = none\n");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->effective_ice_servers().empty());
}

struct FailureCase {
  const char* name;
  const char* text;
  std::string_view code;
  const char* detail_part;
};

class ServeConfigFailure : public ::testing::TestWithParam<FailureCase> {};

TEST_P(ServeConfigFailure, NamesTheLineAndTheProblem) {
  const FailureCase& c = GetParam();
  auto config = parse(c.text);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, c.code);
  EXPECT_NE(config.error().detail.find(c.detail_part), std::string::npos) << config.error().message();
  EXPECT_EQ(config.error().message().find('\n'), std::string::npos) << "one line";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ServeConfigFailure,
    ::testing::Values(
        FailureCase{"UnknownKey", "stream = a=/s\nmax_viewer = 3\n", kErrConfigUnknownKey,
                    "serve.conf:2: 'max_viewer'"},
        FailureCase{"NoEquals", "# c\n\nhttp 0.0.0.0:80\n", kErrConfigSyntax, "serve.conf:3"},
        FailureCase{"EmptyKey", "= value\n", kErrConfigSyntax, "serve.conf:1"},
        FailureCase{"RepeatedKey", "http = :80\nhttp = :81\n", kErrConfigRepeatedKey, "serve.conf:2: 'http'"},
        FailureCase{"BadNumber", "max_viewers = many\n", kErrConfigBadNumber, "serve.conf:1: many"},
        FailureCase{"ZeroViewers", "max_viewers = 0\n", kErrConfigBadNumber, "not in 1.."},
        FailureCase{"NumberOverflow", "max_pending_sessions = 99999999999999999999999\n", kErrConfigBadNumber,
                    "serve.conf:1"},
        FailureCase{"BadSize", "gop_cache_size = 4X\n", kErrConfigBadSize, "serve.conf:1"},
        FailureCase{"RetransmissionBufferTooSmall", "retransmission_buffer_size = 1K\n", kErrConfigBadSize,
                    "serve.conf:1"},
        FailureCase{"StreamWithoutPath", "stream = cam\n", kErrConfigBadStream, "serve.conf:1"},
        FailureCase{"StreamBadName", "stream = my cam=/tmp/x\n", kErrConfigBadStream, "'my cam'"},
        FailureCase{"StreamEmptyPath", "stream = cam=\n", kErrConfigBadStream, "empty"},
        FailureCase{"DuplicateStream", "stream = cam=/a\nstream = cam=/b\n", kErrConfigDuplicateStream,
                    "serve.conf:2: name cam"},
        FailureCase{"ListenWithoutPort", "http = 0.0.0.0\n", kErrConfigBadListen, "serve.conf:1"},
        FailureCase{"ListenBadPort", "http = 0.0.0.0:99999\n", kErrConfigBadListen, "port"},
        FailureCase{"ListenBareIpv6", "http = ::1:8080\n", kErrConfigBadListen, "brackets"},
        FailureCase{"BadIceServer", "ice_server = http://stun.example.net\n", kErrConfigBadIceServer,
                    "serve.conf:1: http://stun.example.net"},
        FailureCase{"TurnWithoutCredentials", "ice_server = turn:turn.example.net\n", kErrConfigBadIceServer,
                    "USER:PASS"},
        FailureCase{"TurnRestWithCredentials", "turn_rest_url = turn:u:p@relay.example.net\n",
                    kErrConfigBadIceServer, "no USER:PASS"},
        FailureCase{"TurnRestStun", "turn_rest_url = stun:relay.example.net\n", kErrConfigBadIceServer,
                    "turn: or turns:"},
        FailureCase{"TurnRestShortTtl", "turn_rest_ttl = 5\n", kErrConfigBadNumber, "serve.conf:1"},
        FailureCase{"BadLogLevel", "log_level = loud\n", kErrConfigBadLogLevel, "loud"},
        FailureCase{"TokenWithSpace", "token = two words\n", kErrConfigBadToken, "serve.conf:1"},
        FailureCase{"AdaptBitrateNotASwitch", "stream = a=/s\nadapt_bitrate = yes please\n",
                    kErrConfigBadSwitch, "serve.conf:2: 'yes please'"},
        FailureCase{"MinBitrateNotANumber", "min_bitrate = 150k\n", kErrConfigBadNumber,
                    "serve.conf:1: 150k"},
        FailureCase{"MinBitrateTooLow", "\nmin_bitrate = 5\n", kErrConfigBadNumber,
                    "serve.conf:2: 5 not in 10.."},
        FailureCase{"MaxBitrateTooHigh", "max_bitrate = 300000\n", kErrConfigBadNumber,
                    "serve.conf:1: 300000 not in 0..200000"},
        FailureCase{"MaxBitrateBelowTen", "max_bitrate = 5\n", kErrConfigBadNumber,
                    "serve.conf:1: 5 not 0 or"},
        FailureCase{"RepeatedMinBitrate", "min_bitrate = 200\nmin_bitrate = 300\n", kErrConfigRepeatedKey,
                    "serve.conf:2: 'min_bitrate'"}),
    [](const ::testing::TestParamInfo<FailureCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(ServeConfigValidate, NeedsAStream) {
  ServeConfig config;
  Status status = validate_serve_config(config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigNoStreams);
}

TEST(ServeConfigValidate, TlsCertAndKeyGoTogether) {
  auto config = parse("stream = cam=/tmp/c\ntls_cert = /etc/cert.pem\n");
  ASSERT_TRUE(config.ok());
  Status status = validate_serve_config(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigTlsPair);
}

TEST(ServeConfigValidate, TlsFilesMustBeReadable) {
  auto config =
      parse("stream = cam=/tmp/c\ntls_cert = /nonexistent/cert.pem\ntls_key = /nonexistent/key.pem\n");
  ASSERT_TRUE(config.ok());
  Status status = validate_serve_config(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigTlsFile);
  EXPECT_EQ(status.error().detail, "/nonexistent/cert.pem");
}

TEST(ServeConfigValidate, TurnRestNeedsUrlAndSecret) {
  auto config = parse("stream = cam=/tmp/c\nturn_rest_secret = s\n");
  ASSERT_TRUE(config.ok());
  Status status = validate_serve_config(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigTurnRest);
}

TEST(ServeConfigValidate, MinBitrateAboveMaxBitrate) {
  auto config = parse("stream = cam=/tmp/c\nmin_bitrate = 500\nmax_bitrate = 400\n");
  ASSERT_TRUE(config.ok());
  Status status = validate_serve_config(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigBitrateRange);
  EXPECT_EQ(status.error().detail, "500 > 400 kbit/s");
  // No cap: any floor goes.
  auto uncapped = parse("stream = cam=/tmp/c\nmin_bitrate = 500\n");
  ASSERT_TRUE(uncapped.ok());
  EXPECT_TRUE(validate_serve_config(*uncapped).ok());
}

TEST(ServeConfigValidate, TwoStreamsOnOneSocket) {
  auto config = parse("stream = a=/tmp/same\nstream = b=/tmp/same\n");
  ASSERT_TRUE(config.ok());
  Status status = validate_serve_config(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrConfigDuplicateStream);
}

TEST(ServeOverrides, CommandLineWinsOverTheFile) {
  auto config = parse(
      "stream = cam=/tmp/cam.sock\nhttp = 0.0.0.0:8080\nice_server = stun:a.example\nmax_viewers = 4\n"
      "token = file-token\n");
  ASSERT_TRUE(config.ok());
  ServeOverrides cli;
  cli.streams = {"cam=/tmp/other.sock", "door=/tmp/door.sock"};
  cli.http = "[::1]:9000";
  cli.ice_servers = {"stun:b.example:3479"};
  cli.max_viewers = 9;
  cli.token = "cli-token";
  cli.log_level = "warn";
  Status applied = apply_serve_overrides(*config, cli);
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  ASSERT_EQ(config->streams.size(), 2u);
  EXPECT_EQ(config->streams[0].socket_path, "/tmp/other.sock") << "same name: replaced";
  EXPECT_EQ(config->streams[1].name, "door");
  EXPECT_EQ(config->http_address, "::1");
  EXPECT_EQ(config->http_port, 9000);
  ASSERT_EQ(config->effective_ice_servers().size(), 1u);
  EXPECT_EQ(config->effective_ice_servers()[0].host, "b.example");
  EXPECT_EQ(config->limits.max_viewers_total, 9u);
  EXPECT_EQ(config->token, "cli-token");
  EXPECT_EQ(config->log_level, LogLevel::kWarn);
}

TEST(ServeOverrides, BadCommandLineValuesAreErrors) {
  ServeConfig config;
  ServeOverrides bad_stream;
  bad_stream.streams = {"nopath"};
  EXPECT_EQ(apply_serve_overrides(config, bad_stream).error().code, kErrConfigBadStream);
  ServeOverrides bad_http;
  bad_http.http = "localhost";
  EXPECT_EQ(apply_serve_overrides(config, bad_http).error().code, kErrConfigBadListen);
  ServeOverrides bad_ice;
  bad_ice.ice_servers = {"stun:"};
  EXPECT_EQ(apply_serve_overrides(config, bad_ice).error().code, kErrConfigBadIceServer);
  ServeOverrides zero;
  zero.max_viewers = 0;
  EXPECT_EQ(apply_serve_overrides(config, zero).error().code, kErrConfigBadNumber);
}

TEST(ServeConfigResolve, FileThenOverridesThenValidation) {
  picortc::test::TempDir dir;
  const std::string path = dir.file("serve.conf");
  std::ofstream(path) << "stream = cam=/tmp/cam.sock\nmax_viewers = 5\n";
  ServeOverrides cli;
  cli.http = ":8081";
  auto config = resolve_serve_config(path, cli);
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->http_port, 8081);
  EXPECT_EQ(config->limits.max_viewers_total, 5u);

  auto missing = resolve_serve_config(dir.file("missing.conf"), cli);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, kErrConfigUnreadable);

  std::ofstream(path) << "stream = cam=/tmp/cam.sock\nbogus = 1\n";
  auto bad = resolve_serve_config(path, cli);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "config: unknown key (" + path + ":2: 'bogus')");

  auto no_stream = resolve_serve_config(std::nullopt, cli);
  ASSERT_FALSE(no_stream.ok());
  EXPECT_EQ(no_stream.error().code, kErrConfigNoStreams);
}

TEST(ServeConfigValues, SizesAndListenAddresses) {
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("512K"), 512u * 1024);
  EXPECT_EQ(*parse_size("4m"), 4u * 1024 * 1024);
  EXPECT_FALSE(parse_size("").ok());
  EXPECT_FALSE(parse_size("K").ok());
  EXPECT_FALSE(parse_size("-1").ok());
  auto any = parse_listen_address(":8080");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->address, "0.0.0.0");
  auto v6 = parse_listen_address("[::]:443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->address, "::");
  EXPECT_EQ(v6->port, 443);
  EXPECT_FALSE(parse_listen_address("[::1]8080").ok());
  EXPECT_FALSE(parse_listen_address("host:0").ok());
}

}  // namespace
}  // namespace picortc::signal
