#include "signal/serve_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace picortc::signal {

namespace {

constexpr size_t kMaxConfigFileBytes = 1024 * 1024;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

Result<uint64_t> parse_unsigned(std::string_view text, uint64_t min, uint64_t max) {
  if (text.empty() || text.size() > 20) return make_error(kErrConfigBadNumber, std::string(text));
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return make_error(kErrConfigBadNumber, std::string(text));
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return make_error(kErrConfigBadNumber, std::string(text));
    }
    value = value * 10 + digit;
  }
  if (value < min || value > max) {
    return make_error(kErrConfigBadNumber,
                      std::string(text) + " not in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

Result<uint32_t> parse_u32(std::string_view text, uint32_t min, uint32_t max) {
  Result<uint64_t> value = parse_unsigned(text, min, max);
  if (!value) return value.error();
  return static_cast<uint32_t>(*value);
}

bool has_control_or_space(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

Result<ice::IceServerUrl> parse_ice_server(std::string_view text) {
  Result<ice::IceServerUrl> url = ice::parse_ice_server_url(text);
  if (!url) return make_error(kErrConfigBadIceServer, std::string(text) + ": " + url.error().message());
  return url;
}

// TURN REST URLs carry no credentials (they are made per viewer); reuse the
// ICE URL parser by lending it placeholder ones.
Result<ice::IceServerUrl> parse_turn_rest_url(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view scheme = text.substr(0, colon);
  if (colon == std::string_view::npos || (scheme != "turn" && scheme != "turns")) {
    return make_error(kErrConfigBadIceServer, std::string(text) + ": turn_rest_url must be turn: or turns:");
  }
  if (text.find('@') != std::string_view::npos) {
    return make_error(kErrConfigBadIceServer, std::string(text) + ": turn_rest_url takes no USER:PASS@");
  }
  std::string with_placeholder(scheme);
  with_placeholder += ":rest:rest@";
  with_placeholder += text.substr(colon + 1);
  Result<ice::IceServerUrl> url = ice::parse_ice_server_url(with_placeholder);
  if (!url) return make_error(kErrConfigBadIceServer, std::string(text) + ": " + url.error().message());
  url->username.clear();
  url->password.clear();
  return url;
}

// Adds an error's location: "serve.conf:12: <detail>".
Error at_line(const Error& error, const std::string& origin, size_t line) {
  std::string detail = origin + ":" + std::to_string(line);
  if (!error.detail.empty()) detail += ": " + error.detail;
  return Error{error.code, std::move(detail)};
}

Status add_stream(ServeConfig& config, StreamConfig stream, bool replace_same_name) {
  for (StreamConfig& existing : config.streams) {
    if (existing.name == stream.name) {
      if (!replace_same_name) return make_error(kErrConfigDuplicateStream, "name " + stream.name);
      existing.socket_path = stream.socket_path;
      return {};
    }
  }
  config.streams.push_back(std::move(stream));
  return {};
}

Status set_log_level(ServeConfig& config, std::string_view value) {
  LogLevel level = LogLevel::kInfo;
  if (!parse_log_level(std::string(value).c_str(), level)) {
    return make_error(kErrConfigBadLogLevel, std::string(value));
  }
  config.log_level = level;
  return {};
}

Status set_listen(ServeConfig& config, std::string_view value) {
  Result<ListenAddress> listen = parse_listen_address(value);
  if (!listen) return listen.error();
  config.http_address = listen->address;
  config.http_port = listen->port;
  return {};
}

Status set_token(ServeConfig& config, std::string_view value) {
  if (has_control_or_space(value)) return make_error(kErrConfigBadToken);
  config.token = std::string(value);
  return {};
}

// `none` clears the list and keeps it "given" (no default STUN server).
Status add_ice_server(std::vector<ice::IceServerUrl>& list, std::string_view value) {
  if (value == "none") {
    list.clear();
    return {};
  }
  Result<ice::IceServerUrl> url = parse_ice_server(value);
  if (!url) return url.error();
  list.push_back(std::move(*url));
  return {};
}

Result<bool> parse_switch(std::string_view value) {
  if (value == "on") return true;
  if (value == "off") return false;
  return make_error(kErrConfigBadSwitch, "'" + std::string(value) + "'");
}

// One `key = value` line of the file.
Status apply_key(ServeConfig& config, std::string_view key, std::string_view value) {
  if (key == "stream") {
    Result<StreamConfig> stream = parse_stream_spec(value);
    if (!stream) return stream.error();
    return add_stream(config, std::move(*stream), false);
  }
  if (key == "http") return set_listen(config, value);
  if (key == "tls_cert") {
    config.tls_cert = std::string(value);
    return {};
  }
  if (key == "tls_key") {
    config.tls_key = std::string(value);
    return {};
  }
  if (key == "token") return set_token(config, value);
  if (key == "ice_server") {
    if (!config.ice_servers) config.ice_servers.emplace();
    return add_ice_server(*config.ice_servers, value);
  }
  if (key == "turn_rest_url") {
    Result<ice::IceServerUrl> url = parse_turn_rest_url(value);
    if (!url) return url.error();
    config.turn_rest.urls.push_back(std::move(*url));
    return {};
  }
  if (key == "turn_rest_secret") {
    config.turn_rest.secret = std::string(value);
    return {};
  }
  if (key == "turn_rest_user") {
    if (value.empty() || has_control_or_space(value) || value.find(':') != std::string_view::npos) {
      return make_error(kErrConfigSyntax, "turn_rest_user must be a non-empty word without ':'");
    }
    config.turn_rest.user = std::string(value);
    return {};
  }
  if (key == "turn_rest_ttl") {
    Result<uint64_t> ttl = parse_unsigned(value, 60, 7 * 24 * 3600);
    if (!ttl) return ttl.error();
    config.turn_rest.ttl_seconds = static_cast<int64_t>(*ttl);
    return {};
  }
  if (key == "max_viewers") {
    Result<uint32_t> n = parse_u32(value, 1, 100000);
    if (!n) return n.error();
    config.limits.max_viewers_total = *n;
    return {};
  }
  if (key == "max_viewers_per_stream") {
    Result<uint32_t> n = parse_u32(value, 1, 100000);
    if (!n) return n.error();
    config.limits.max_viewers_per_stream = *n;
    return {};
  }
  if (key == "max_pending_sessions") {
    Result<uint32_t> n = parse_u32(value, 1, 10000);
    if (!n) return n.error();
    config.limits.max_pending_sessions = *n;
    return {};
  }
  if (key == "session_idle_timeout") {
    Result<uint32_t> n = parse_u32(value, 1, 24 * 3600);
    if (!n) return n.error();
    config.session_idle_timeout_seconds = *n;
    return {};
  }
  if (key == "gop_cache_size") {
    Result<uint64_t> size = parse_size(value);
    if (!size) return size.error();
    config.gop_cache_bytes = *size;
    return {};
  }
  if (key == "retransmission_buffer_size") {
    Result<uint64_t> size = parse_size(value);
    if (!size) return size.error();
    // Below one packet nothing could ever be resent.
    if (*size < 2048) return make_error(kErrConfigBadSize, "retransmission_buffer_size below 2K");
    config.retransmission_store_bytes = *size;
    return {};
  }
  if (key == "log_level") return set_log_level(config, value);
  if (key == "cors_origin") {
    if (value.empty() || has_control_or_space(value)) {
      return make_error(kErrConfigSyntax, "cors_origin must be '*' or one origin");
    }
    config.cors_origin = std::string(value);
    return {};
  }
  if (key == "http_threads") {
    Result<uint32_t> n = parse_u32(value, 1, 64);
    if (!n) return n.error();
    config.http_threads = *n;
    return {};
  }
  if (key == "adapt_bitrate") {
    Result<bool> on = parse_switch(value);
    if (!on) return on.error();
    config.adapt_bitrate = *on;
    return {};
  }
  // kbit/s, the range of picortc-capture --bitrate.
  if (key == "min_bitrate") {
    Result<uint32_t> kbps = parse_u32(value, 10, 200000);
    if (!kbps) return kbps.error();
    config.min_bitrate_kbps = *kbps;
    return {};
  }
  if (key == "max_bitrate") {
    Result<uint32_t> kbps = parse_u32(value, 0, 200000);
    if (!kbps) return kbps.error();
    if (*kbps != 0 && *kbps < 10)
      return make_error(kErrConfigBadNumber, std::string(value) + " not 0 or 10..200000");
    config.max_bitrate_kbps = *kbps;
    return {};
  }
  return make_error(kErrConfigUnknownKey, "'" + std::string(key) + "'");
}

bool is_repeatable(std::string_view key) {
  return key == "stream" || key == "ice_server" || key == "turn_rest_url";
}

bool readable_file(const std::string& path) {
  return access(path.c_str(), R_OK) == 0;
}

}  // namespace

bool is_valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
  });
}

std::vector<ice::IceServerUrl> ServeConfig::effective_ice_servers() const {
  if (ice_servers) return *ice_servers;
  Result<ice::IceServerUrl> stun = ice::parse_ice_server_url(kDefaultStunServer);
  if (!stun) return {};
  return {*stun};
}

Result<StreamConfig> parse_stream_spec(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return make_error(kErrConfigBadStream, std::string(text));
  StreamConfig stream;
  stream.name = std::string(trim(text.substr(0, eq)));
  stream.socket_path = std::string(trim(text.substr(eq + 1)));
  if (!is_valid_stream_name(stream.name)) {
    return make_error(kErrConfigBadStream, "name '" + stream.name + "' is not [A-Za-z0-9_.-]{1,64}");
  }
  // sun_path holds 108 bytes with the terminating NUL (unix(7)).
  if (stream.socket_path.empty() || stream.socket_path.size() > 107) {
    return make_error(kErrConfigBadStream, "socket path of '" + stream.name + "' is empty or over 107 bytes");
  }
  return stream;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress listen;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(kErrConfigBadListen, std::string(text));
    }
    listen.address = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return make_error(kErrConfigBadListen, std::string(text));
    listen.address = std::string(text.substr(0, colon));
    if (listen.address.find(':') != std::string::npos) {
      return make_error(kErrConfigBadListen, std::string(text) + ": put IPv6 addresses in brackets");
    }
    port_text = text.substr(colon + 1);
  }
  if (listen.address.empty()) listen.address = "0.0.0.0";
  if (has_control_or_space(listen.address)) return make_error(kErrConfigBadListen, std::string(text));
  Result<uint64_t> port = parse_unsigned(port_text, 1, 65535);
  if (!port) return make_error(kErrConfigBadListen, std::string(text) + ": port is not 1..65535");
  listen.port = static_cast<uint16_t>(*port);
  return listen;
}

Result<uint64_t> parse_size(std::string_view text) {
  uint64_t multiplier = 1;
  if (!text.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    if (unit == 'K') multiplier = 1024;
    if (unit == 'M') multiplier = 1024 * 1024;
    if (unit == 'G') multiplier = 1024ull * 1024 * 1024;
    if (multiplier != 1) text.remove_suffix(1);
  }
  Result<uint64_t> number =
      parse_unsigned(text, 0, std::numeric_limits<uint64_t>::max() / (1024ull * 1024 * 1024));
  if (!number) return make_error(kErrConfigBadSize, std::string(text));
  return *number * multiplier;
}

Result<ServeConfig> parse_serve_config(std::string_view text, const std::string& origin) {
  ServeConfig config;
  std::set<std::string, std::less<>> seen;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return at_line(make_error(kErrConfigSyntax, "'" + std::string(line) + "'"), origin, line_number);
    }
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    if (key.empty()) {
      return at_line(make_error(kErrConfigSyntax, "'" + std::string(line) + "'"), origin, line_number);
    }
    if (!is_repeatable(key) && !seen.insert(std::string(key)).second) {
      return at_line(make_error(kErrConfigRepeatedKey, "'" + std::string(key) + "'"), origin, line_number);
    }
    Status applied = apply_key(config, key, value);
    if (!applied) return at_line(applied.error(), origin, line_number);
  }
  return config;
}

Result<ServeConfig> load_serve_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(kErrConfigUnreadable, path);
  std::string text;
  text.resize(kMaxConfigFileBytes + 1);
  file.read(&text[0], static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kMaxConfigFileBytes)
    return make_error(kErrConfigUnreadable, path + ": larger than 1 MiB");
  return parse_serve_config(text, path);
}

Status apply_serve_overrides(ServeConfig& config, const ServeOverrides& overrides) {
  for (const std::string& spec : overrides.streams) {
    Result<StreamConfig> stream = parse_stream_spec(spec);
    if (!stream) return stream.error();
    Status added = add_stream(config, std::move(*stream), true);
    if (!added) return added;
  }
  if (overrides.http) {
    Status status = set_listen(config, *overrides.http);
    if (!status) return status;
  }
  if (overrides.tls_cert) config.tls_cert = *overrides.tls_cert;
  if (overrides.tls_key) config.tls_key = *overrides.tls_key;
  if (overrides.token) {
    Status status = set_token(config, *overrides.token);
    if (!status) return status;
  }
  if (!overrides.ice_servers.empty()) {
    std::vector<ice::IceServerUrl> list;
    for (const std::string& url : overrides.ice_servers) {
      Status status = add_ice_server(list, url);
      if (!status) return status;
    }
    config.ice_servers = std::move(list);
  }
  if (overrides.max_viewers) {
    if (*overrides.max_viewers == 0) return make_error(kErrConfigBadNumber, "--max-viewers 0");
    config.limits.max_viewers_total = *overrides.max_viewers;
  }
  if (overrides.log_level) {
    Status status = set_log_level(config, *overrides.log_level);
    if (!status) return status;
  }
  return {};
}

Status validate_serve_config(const ServeConfig& config) {
  if (config.streams.empty()) {
    return make_error(kErrConfigNoStreams, "give --stream NAME=SOCKET_PATH or 'stream =' in the config file");
  }
  std::set<std::string> names;
  std::set<std::string> sockets;
  for (const StreamConfig& stream : config.streams) {
    if (!names.insert(stream.name).second)
      return make_error(kErrConfigDuplicateStream, "name " + stream.name);
    if (!sockets.insert(stream.socket_path).second) {
      return make_error(kErrConfigDuplicateStream, "socket " + stream.socket_path);
    }
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return make_error(kErrConfigTlsPair,
                      config.tls_cert.empty() ? "tls_key without tls_cert" : "tls_cert without tls_key");
  }
  if (!config.tls_cert.empty()) {
    if (!readable_file(config.tls_cert)) return make_error(kErrConfigTlsFile, config.tls_cert);
    if (!readable_file(config.tls_key)) return make_error(kErrConfigTlsFile, config.tls_key);
  }
  if (config.turn_rest.urls.empty() != config.turn_rest.secret.empty()) {
    return make_error(kErrConfigTurnRest, config.turn_rest.secret.empty()
                                              ? "turn_rest_url without turn_rest_secret"
                                              : "turn_rest_secret without turn_rest_url");
  }
  const ViewerLimits& limits = config.limits;
  if (limits.max_viewers_total == 0 || limits.max_viewers_per_stream == 0 ||
      limits.max_pending_sessions == 0) {
    return make_error(kErrConfigBadNumber, "viewer limits must be at least 1");
  }
  if (config.max_bitrate_kbps != 0 && config.min_bitrate_kbps > config.max_bitrate_kbps) {
    return make_error(kErrConfigBitrateRange, std::to_string(config.min_bitrate_kbps) + " > " +
                                                  std::to_string(config.max_bitrate_kbps) + " kbit/s");
  }
  return {};
}

Result<ServeConfig> resolve_serve_config(const std::optional<std::string>& config_path,
                                         const ServeOverrides& overrides) {
  ServeConfig config;
  if (config_path) {
    Result<ServeConfig> loaded = load_serve_config_file(*config_path);
    if (!loaded) return loaded.error();
    config = std::move(*loaded);
  }
  Status applied = apply_serve_overrides(config, overrides);
  if (!applied) return applied.error();
  Status valid = validate_serve_config(config);
  if (!valid) return valid.error();
  return config;
}

}  // namespace picortc::signal
