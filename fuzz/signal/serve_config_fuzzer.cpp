// Fuzzes what the signaling front end parses itself: the serve config file,
// the Authorization header and the command-line value forms. The first byte
// picks the parser; the rest is its input. None may crash, and what parses
// must hold together (a parsed config validates or names an error; a bearer
// token is a piece of the header and authorizes itself).
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signal/bearer_token.hpp"
#include "signal/serve_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace picortc::signal;
  switch (selector % 3) {
    case 0: {
      auto config = parse_serve_config(input, "fuzz.conf");
      if (config) {
        picortc::Status valid = validate_serve_config(*config);
        assert(valid.ok() || !valid.error().code.empty());
        (void)valid;
        for (const StreamConfig& stream : config->streams)
          assert(is_valid_stream_name(stream.name));
      } else {
        assert(config.error().detail.rfind("fuzz.conf:", 0) == 0);
      }
      break;
    }
    case 1: {
      const std::string_view token = bearer_token_of(input);
      assert(token.empty() || input.find(token) != std::string_view::npos);
      if (!token.empty()) {
        assert(bearer_authorized(input, token));
        assert(constant_time_equal(token, token));
      }
      break;
    }
    default: {
      auto listen = parse_listen_address(input);
      if (listen) assert(listen->port != 0);
      auto stream = parse_stream_spec(input);
      if (stream) assert(is_valid_stream_name(stream->name) && !stream->socket_path.empty());
      (void)parse_size(input);
      break;
    }
  }
  return 0;
}
