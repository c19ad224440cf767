// Fuzz target `turn`: ChannelData parsing must re-marshal to the bytes it
// consumed; the stream framer must hand out only whole messages that cover
// the input in order; a TurnClient must survive anything from its server.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "turn/channel_data.hpp"
#include "turn/turn_client.hpp"
#include "turn/turn_stream_framer.hpp"

using namespace picortc;
using namespace picortc::turn;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

class NullTransport : public TurnServerTransport {
 public:
  TurnTransportKind kind() const override { return TurnTransportKind::kUdp; }
  Status send_to_server(BytesView) override { return {}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const BytesView input(data, size);

  auto channel = parse_channel_data(input);
  if (channel.ok()) {
    const auto again = marshal_channel_data(channel->channel, channel->data, /*padded=*/false);
    require(BytesView(again) == input.subview(0, again.size()));
    auto reparsed = parse_channel_data(again);
    require(reparsed.ok() && reparsed->channel == channel->channel && reparsed->data == channel->data);
  }

  // Feed in two pieces; the messages handed out are consecutive slices of
  // the input.
  TurnStreamFramer framer;
  size_t covered = 0;
  auto on_message = [&](BytesView message) {
    require(message.size() > 0 && covered + message.size() <= size);
    require(message == input.subview(covered, message.size()));
    covered += message.size();
  };
  const size_t half = size / 2;
  auto first = framer.feed(input.subview(0, half), on_message);
  if (first.ok()) (void)framer.feed(input.subview(half), on_message);
  require(covered + framer.buffered() <= size);

  // The client, not allocated, with the input as a server message (the log
  // would only repeat the drop reasons).
  static const bool quiet = (set_log_level(LogLevel::kOff), true);
  (void)quiet;
  static EventLoop loop;
  static NullTransport transport;
  TurnClientConfig config;
  config.username = "u";
  config.password = "p";
  TurnClient client(loop, transport, config, TurnClientCallbacks{});
  client.handle_server_message(input);
  return 0;
}
