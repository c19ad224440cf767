#pragma once
// The configuration of `picortc serve`: defaults, then a config file, then
// command-line options (which win). Every key is documented in docs/serve.md.
//
// File format: one `key = value` per line, `#` starts a comment line, blank
// lines are ignored, `stream` and `ice_server` (and `turn_rest_url`) may be
// repeated. Chosen over JSON because a person edits it on a board over ssh,
// and over TOML because no header-only TOML parser is packaged here.
//
//   # /etc/picortc/serve.conf
//   stream = cam=/run/picortc/cam.sock
//   http = 0.0.0.0:8080
//   ice_server = stun:stun.l.google.com:19302
//   max_viewers = 16
//
// Errors name the file and line: "serve.conf:3: unknown key 'max_viewer'".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"
#include "core/result.hpp"
#include "ice/ice_server_url.hpp"
#include "signal/ice_server_links.hpp"
#include "signal/viewer_admission.hpp"

namespace picortc::signal {

inline constexpr std::string_view kErrConfigUnreadable = "config: cannot read the config file";
inline constexpr std::string_view kErrConfigSyntax = "config: line is not 'key = value'";
inline constexpr std::string_view kErrConfigUnknownKey = "config: unknown key";
inline constexpr std::string_view kErrConfigRepeatedKey = "config: key given twice";
inline constexpr std::string_view kErrConfigBadNumber = "config: value is not a number in range";
inline constexpr std::string_view kErrConfigBadSize = "config: value is not a size (e.g. 4096, 512K, 4M)";
inline constexpr std::string_view kErrConfigBadStream = "config: stream is not NAME=SOCKET_PATH";
inline constexpr std::string_view kErrConfigDuplicateStream = "config: two streams with one name or socket";
inline constexpr std::string_view kErrConfigBadListen = "config: http is not ADDR:PORT";
inline constexpr std::string_view kErrConfigBadIceServer = "config: bad ICE server URL";
inline constexpr std::string_view kErrConfigBadLogLevel =
    "config: log_level is not debug|info|warn|error|off";
inline constexpr std::string_view kErrConfigNoStreams = "config: no stream configured";
inline constexpr std::string_view kErrConfigTlsPair = "config: tls_cert and tls_key go together";
inline constexpr std::string_view kErrConfigTlsFile = "config: TLS file is not readable";
inline constexpr std::string_view kErrConfigTurnRest =
    "config: turn_rest_url and turn_rest_secret go together";
inline constexpr std::string_view kErrConfigBadToken = "config: token has spaces or control characters";
inline constexpr std::string_view kErrConfigBadSwitch = "config: value is not on|off";
inline constexpr std::string_view kErrConfigBitrateRange = "config: min_bitrate is above max_bitrate";

struct StreamConfig {
  std::string name;         // [A-Za-z0-9_.-]{1,64}, used in URLs
  std::string socket_path;  // the ingest socket `serve` listens on
};

// The STUN server the original description suggests; used when no ICE
// server is configured (DESIGN.md), `ice_server = none` turns it off.
inline constexpr std::string_view kDefaultStunServer = "stun:stun.l.google.com:19302";

struct ServeConfig {
  std::vector<StreamConfig> streams;
  std::string http_address = "0.0.0.0";
  uint16_t http_port = 8080;
  std::string tls_cert;
  std::string tls_key;
  std::string token;
  // Given: the list as configured ("none" = given and empty). Not given:
  // kDefaultStunServer.
  std::optional<std::vector<ice::IceServerUrl>> ice_servers;
  TurnRestConfig turn_rest;
  ViewerLimits limits;
  uint32_t session_idle_timeout_seconds = 30;
  uint64_t gop_cache_bytes = 4 * 1024 * 1024;
  // Per stream, shared by its viewers: payloads kept for NACK resends.
  uint64_t retransmission_store_bytes = 1024 * 1024;
  LogLevel log_level = LogLevel::kInfo;
  std::string cors_origin = "*";
  uint32_t http_threads = 4;
  // Viewers' REMB estimates -> bitrate requests to the producer
  // (streamer/bitrate_adapter.hpp), kbit/s; max 0: no cap from serve.
  bool adapt_bitrate = true;
  uint32_t min_bitrate_kbps = 150;
  uint32_t max_bitrate_kbps = 0;

  std::vector<ice::IceServerUrl> effective_ice_servers() const;
};

// Command-line options as given (DESIGN.md "Command line"). Strings are
// parsed by apply_serve_overrides so errors read the same as the file's.
struct ServeOverrides {
  std::vector<std::string> streams;  // --stream NAME=SOCKET_PATH (adds, or replaces the same name)
  std::optional<std::string> http;   // --http ADDR:PORT
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::optional<std::string> token;
  std::vector<std::string> ice_servers;  // --ice-server URL|none (replaces the file's list)
  std::optional<uint32_t> max_viewers;   // total
  std::optional<std::string> log_level;
};

// Parses the text of a config file; `origin` names it in errors.
Result<ServeConfig> parse_serve_config(std::string_view text, const std::string& origin);
Result<ServeConfig> load_serve_config_file(const std::string& path);
Status apply_serve_overrides(ServeConfig& config, const ServeOverrides& overrides);
// Checks what needs the whole picture: at least one stream, TLS pair and
// files, TURN REST pair, limits at least 1, min_bitrate <= max_bitrate.
Status validate_serve_config(const ServeConfig& config);

// What `serve` does: defaults, the file when given, the overrides, then
// validation. The error's message() is the one line to print before exit 2.
Result<ServeConfig> resolve_serve_config(const std::optional<std::string>& config_path,
                                         const ServeOverrides& overrides);

// Value parsers shared by the file and the command line.
Result<StreamConfig> parse_stream_spec(std::string_view text);  // NAME=SOCKET_PATH
struct ListenAddress {
  std::string address;
  uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view text);  // ADDR:PORT, [v6]:PORT, :PORT
// Stream names appear in URLs (/whep/<name>) and metric labels.
bool is_valid_stream_name(std::string_view name);
// "4096", "512K", "4M" (K = 1024).
Result<uint64_t> parse_size(std::string_view text);

}  // namespace picortc::signal
